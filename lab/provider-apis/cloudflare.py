"""Cloudflare API v4, the part DNS-01 uses.

Follows:
  https://developers.cloudflare.com/api/resources/zones/methods/list/
  https://developers.cloudflare.com/api/resources/dns/subresources/records/methods/list/
  https://developers.cloudflare.com/api/resources/dns/subresources/records/methods/create/
  https://developers.cloudflare.com/api/resources/dns/subresources/records/methods/delete/
  https://developers.cloudflare.com/fundamentals/api/get-started/create-token/ (Bearer tokens)
  https://developers.cloudflare.com/fundamentals/api/get-started/keys/ (X-Auth-Email + X-Auth-Key)
  https://developers.cloudflare.com/fundamentals/api/reference/limits/ (429, Retry-After)

Checked: the Bearer token or the legacy email + global key (credentials `token`, `email`,
`key`); zone lookup by exact `name` with `page`/`per_page` in range; record list filters
`type`, `name`, `content`; the create body (type TXT, name inside the zone, content, ttl 1 or
60–86400, no unknown fields); duplicates refused with code 81058; delete of an unknown record
404 with code 81044; the documented envelope {success, errors, messages, result, result_info}.
Not checked: token scopes and zone permissions beyond "this token is valid", account ids,
proxied/comment/tags fields, record types other than TXT.
"""
import hashlib
import time

from provider_api import ApiError

ZONE = r"^/client/v4/zones/(?P<zone>[0-9a-f]{32})/dns_records"


class Rules:
    def __init__(self, lab):
        self.lab = lab
        self.zones = {hashlib.md5(z.encode()).hexdigest(): z for z in lab.zones}
        self.records = {}

    def routes(self):
        return [
            ("GET", r"^/client/v4/zones$", self.list_zones),
            ("GET", ZONE + "$", self.list_records),
            ("POST", ZONE + "$", self.create_record),
            ("DELETE", ZONE + r"/(?P<id>[0-9a-f]{32})$", self.delete_record),
        ]

    @staticmethod
    def error(status, message, code=1000):
        return ApiError(status, {"success": False, "errors": [{"code": code, "message": message}], "messages": [], "result": None})

    def authenticate(self, request):
        token, email, key = (self.lab.credentials.get(n) for n in ("token", "email", "key"))
        authorization = request.headers.get("Authorization", "")
        if authorization:
            if not authorization.startswith("Bearer ") or authorization[7:] != token:
                raise self.error(403, "Invalid access token", 9109)
            return
        if request.headers.get("X-Auth-Email") or request.headers.get("X-Auth-Key"):
            if request.headers.get("X-Auth-Email") != email or request.headers.get("X-Auth-Key") != key:
                raise self.error(403, "Authentication error", 10000)
            return
        raise self.error(400, "Missing X-Auth-Key, X-Auth-Email or Authorization headers", 9106)

    @staticmethod
    def page(request, default, maximum):
        try:
            page, per_page = int(request.arg("page", "1")), int(request.arg("per_page", str(default)))
        except ValueError:
            raise Rules.error(400, "page and per_page must be numbers", 1001)
        if page < 1 or not 5 <= per_page <= maximum:
            raise Rules.error(400, "per_page must be between 5 and %d" % maximum, 1001)
        return page, per_page

    @staticmethod
    def envelope(items, page, per_page):
        chosen = items[(page - 1) * per_page: page * per_page]
        return 200, {"success": True, "errors": [], "messages": [], "result": chosen,
                     "result_info": {"page": page, "per_page": per_page, "count": len(chosen), "total_count": len(items),
                                     "total_pages": max(1, -(-len(items) // per_page))}}

    def list_zones(self, request):
        page, per_page = self.page(request, 20, 50)
        name = request.arg("name")
        zones = [{"id": i, "name": z, "status": "active", "paused": False, "type": "full"}
                 for i, z in sorted(self.zones.items(), key=lambda kv: kv[1]) if name is None or z == name]
        return self.envelope(zones, page, per_page)

    def zone(self, request):
        zone = self.zones.get(request.match.group("zone"))
        if zone is None:
            raise self.error(404, "Could not route to /zones/%s, perhaps your object identifier is invalid?" % request.match.group("zone"), 7003)
        return request.match.group("zone"), zone

    def list_records(self, request):
        zone_id, _ = self.zone(request)
        page, per_page = self.page(request, 100, 5000)
        wanted = {k: request.arg(k) for k in ("type", "name", "content") if request.arg(k) is not None}
        with self.lab.lock:
            records = [r for r in self.records.values() if r["zone_id"] == zone_id and all(r[k] == v for k, v in wanted.items())]
        return self.envelope(sorted(records, key=lambda r: r["created_on"]), page, per_page)

    def create_record(self, request):
        zone_id, zone = self.zone(request)
        body = request.json(lambda message: self.error(400, message, 9207))
        if not isinstance(body, dict):
            raise self.error(400, "the request body must be a JSON object", 9207)
        unknown = set(body) - {"type", "name", "content", "ttl", "proxied", "comment", "tags"}
        if unknown:
            raise self.error(400, "unknown fields: %s" % ", ".join(sorted(unknown)), 9207)
        if body.get("type") != "TXT":
            raise self.error(400, "this stand-in serves TXT records only", 9004)
        name = str(body.get("name", "")).rstrip(".").lower()
        if self.lab.zone_of(name) != zone:
            raise self.error(400, "DNS record name %s is not in zone %s" % (name, zone), 9005)
        content, ttl = body.get("content"), body.get("ttl", 1)
        if not isinstance(content, str) or not content:
            raise self.error(400, "content is required", 9009)
        if not isinstance(ttl, int) or not (ttl == 1 or 60 <= ttl <= 86400):
            raise self.error(400, "TTL must be between 60 and 86400 seconds, or 1 for Automatic", 9021)
        with self.lab.lock:
            if any(r["zone_id"] == zone_id and r["name"] == name and r["content"] == content for r in self.records.values()):
                raise self.error(400, "An identical record already exists.", 81058)
            record_id = hashlib.md5(("%s %s %s %d" % (zone_id, name, content, self.lab.new_id())).encode()).hexdigest()
            now = time.strftime("%Y-%m-%dT%H:%M:%S.000000Z", time.gmtime())
            record = {"id": record_id, "zone_id": zone_id, "zone_name": zone, "type": "TXT", "name": name, "content": content,
                      "ttl": ttl, "proxiable": False, "proxied": False, "created_on": now, "modified_on": now}
            try:
                self.lab.publish(True, name, content.strip('"'), 60 if ttl == 1 else ttl)
            except RuntimeError as failure:
                raise self.error(500, str(failure), 1000)
            self.records[record_id] = record
        return 200, {"success": True, "errors": [], "messages": [], "result": record}

    def delete_record(self, request):
        zone_id, _ = self.zone(request)
        with self.lab.lock:
            record = self.records.get(request.match.group("id"))
            if record is None or record["zone_id"] != zone_id:
                raise self.error(404, "Record does not exist.", 81044)
            try:
                self.lab.publish(False, record["name"], record["content"].strip('"'))
            except RuntimeError as failure:
                raise self.error(500, str(failure), 1000)
            del self.records[record["id"]]
        return 200, {"success": True, "errors": [], "messages": [], "result": {"id": record["id"]}}

    def snapshot(self):
        with self.lab.lock:
            return list(self.records.values())
