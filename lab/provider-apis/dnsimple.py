"""DNSimple API v2, the part DNS-01 uses.

Follows:
  https://developer.dnsimple.com/v2/identity/#whoami (the account an account token belongs to)
  https://developer.dnsimple.com/v2/zones/#getZone
  https://developer.dnsimple.com/v2/zones/records/#listZoneRecords (name/type filters, pagination)
  https://developer.dnsimple.com/v2/zones/records/#createZoneRecord
  https://developer.dnsimple.com/v2/zones/records/#deleteZoneRecord
  https://developer.dnsimple.com/v2/#authentication (OAuth / account tokens as `Authorization: Bearer`)
  https://developer.dnsimple.com/v2/#pagination, https://developer.dnsimple.com/v2/#errors
  https://go-acme.github.io/lego/dns/dnsimple/ (variables; DNSIMPLE_BASE_URL without /v2)

Checked: `Authorization: Bearer <token>` (credential `token`; with `user_token` set instead,
the token is a user token and whoami answers no account), 401 {"message": "Authentication
failed"} otherwise; the account id in the path is the token's (404 otherwise); the zone exists
in the account (404 "Zone `…` not found"); list filters `name` (exact, "" for the apex) and
`type`, with `page` ≥ 1 and `per_page` 1–100; the create body (`name` relative, `type` TXT,
non-empty `content`, optional integer `ttl` ≥ 60, optional `priority`/`regions`, nothing
else), validation errors as 400 {"message": "Validation failed", "errors": {field: […]}};
delete of an unknown record 404; answers in the documented {"data": …, "pagination": …}
envelope.
Not checked: token scopes, the sandbox, regions semantics, record types other than TXT, the
hourly rate limit's X-RateLimit headers (tests inject 429).
"""
import time

from provider_api import ApiError

ACCOUNT = r"^/v2/(?P<account>[0-9]+)"
ZONE = ACCOUNT + r"/zones/(?P<zone>[^/]+)"
ACCOUNT_ID = 1385


class Rules:
    def __init__(self, lab):
        self.lab = lab
        self.zone_ids = {z: 40000 + i for i, z in enumerate(lab.zones)}
        self.records = {}

    def routes(self):
        return [
            ("GET", r"^/v2/whoami$", self.whoami),
            ("GET", ZONE + "$", self.get_zone),
            ("GET", ZONE + "/records$", self.list_records),
            ("POST", ZONE + "/records$", self.create_record),
            ("DELETE", ZONE + r"/records/(?P<id>[0-9]+)$", self.delete_record),
        ]

    @staticmethod
    def error(status, message, errors=None):
        body = {"message": message}
        if errors:
            body["errors"] = errors
        return ApiError(status, body)

    def authenticate(self, request):
        authorization = request.headers.get("Authorization", "")
        tokens = {self.lab.credentials.get("token"): "account", self.lab.credentials.get("user_token"): "user"}
        kind = tokens.get(authorization[7:]) if authorization.startswith("Bearer ") else None
        if kind is None:
            raise self.error(401, "Authentication failed")
        request.kind = kind

    def whoami(self, request):
        if request.kind == "user":
            return 200, {"data": {"user": {"id": 7, "email": "user@example.test"}, "account": None}}
        return 200, {"data": {"user": None, "account": {"id": ACCOUNT_ID, "email": "ops@example.test", "plan_identifier": "teams-v1-monthly"}}}

    def zone(self, request):
        if request.kind != "account" or int(request.match.group("account")) != ACCOUNT_ID:
            raise self.error(404, "Account `%s` not found" % request.match.group("account"))
        zone = request.match.group("zone").lower()
        if zone not in self.zone_ids:
            raise self.error(404, "Zone `%s` not found" % zone)
        return zone

    def get_zone(self, request):
        zone = self.zone(request)
        return 200, {"data": {"id": self.zone_ids[zone], "account_id": ACCOUNT_ID, "name": zone, "reverse": False, "secondary": False,
                              "active": True, "created_at": "2024-01-01T00:00:00Z", "updated_at": "2024-01-01T00:00:00Z"}}

    def list_records(self, request):
        zone = self.zone(request)
        try:
            page, per_page = int(request.arg("page", "1")), int(request.arg("per_page", "30"))
        except ValueError:
            raise self.error(400, "page and per_page must be integers")
        if page < 1 or not 1 <= per_page <= 100:
            raise self.error(400, "page must be 1 or more and per_page between 1 and 100")
        name, kind = request.arg("name"), request.arg("type")
        with self.lab.lock:
            found = [r for r in self.records.values() if r["zone_id"] == zone
                     and (name is None or r["name"] == name.lower()) and (kind is None or r["type"] == kind.upper())]
        found.sort(key=lambda r: r["id"])
        chosen = found[(page - 1) * per_page: page * per_page]
        return 200, {"data": chosen, "pagination": {"current_page": page, "per_page": per_page, "total_entries": len(found),
                                                     "total_pages": max(1, -(-len(found) // per_page))}}

    def create_record(self, request):
        zone = self.zone(request)
        body = request.json(lambda message: self.error(400, message))
        if not isinstance(body, dict):
            raise self.error(400, "Validation failed", {"base": ["the body must be a JSON object"]})
        problems = {}
        unknown = set(body) - {"name", "type", "content", "ttl", "priority", "regions", "integrated_zones"}
        for field in sorted(unknown):
            problems[field] = ["is not a known attribute"]
        name = body.get("name", "")
        if not isinstance(name, str) or name.endswith("." + zone) or name == zone or name.endswith("."):
            problems["name"] = ["must be relative to the zone"]
        if body.get("type") != "TXT":
            problems["type"] = ["this stand-in serves TXT records only"]
        content, ttl = body.get("content"), body.get("ttl", 3600)
        if not isinstance(content, str) or not content:
            problems["content"] = ["can't be blank"]
        if not isinstance(ttl, int) or isinstance(ttl, bool) or ttl < 60:
            problems["ttl"] = ["must be an integer of 60 or more"]
        if problems:
            raise self.error(400, "Validation failed", problems)
        name = name.lower()
        fqdn = "%s.%s" % (name, zone) if name else zone
        now = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
        with self.lab.lock:
            record = {"id": self.lab.new_id(), "zone_id": zone, "parent_id": None, "name": name, "content": content, "ttl": ttl,
                      "priority": None, "type": "TXT", "regions": ["global"], "system_record": False, "created_at": now, "updated_at": now}
            try:
                self.lab.publish(True, fqdn, content.strip('"'), 60)
            except RuntimeError as failure:
                raise self.error(500, str(failure))
            self.records[record["id"]] = record
        return 201, {"data": record}

    def delete_record(self, request):
        zone = self.zone(request)
        with self.lab.lock:
            record = self.records.get(int(request.match.group("id")))
            if record is None or record["zone_id"] != zone:
                raise self.error(404, "Record `%s` not found" % request.match.group("id"))
            fqdn = "%s.%s" % (record["name"], zone) if record["name"] else zone
            self.lab.publish(False, fqdn, record["content"].strip('"'))
            del self.records[record["id"]]
        return 204, None

    def snapshot(self):
        with self.lab.lock:
            return list(self.records.values())
