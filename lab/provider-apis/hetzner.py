"""Hetzner DNS API (the DNS Console API, dns.hetzner.com/api/v1), the part DNS-01 uses.

Follows:
  https://dns.hetzner.com/api-docs#section/Authentication (header `Auth-API-Token`)
  https://dns.hetzner.com/api-docs#operation/GetZones (`name`, `page`, `per_page` ≤ 100;
    `meta.pagination`; a name with no zone: 404)
  https://dns.hetzner.com/api-docs#operation/GetRecords (`zone_id`, `page`, `per_page`)
  https://dns.hetzner.com/api-docs#operation/CreateRecord (body name, ttl, type, value, zone_id;
    200 with `record`)
  https://dns.hetzner.com/api-docs#operation/DeleteRecord (200; unknown id 404)

Checked: the `Auth-API-Token` header (credential `token`; 401 "Invalid authentication
credentials" otherwise); zone lookup by exact `name`; `page` ≥ 1 and `per_page` 1–100 on both
lists; records listed by `zone_id` (required); the create body (type TXT, name relative to the
zone or "@", value non-empty, ttl a whole number ≥ 60 when given, zone_id of a served zone, no
unknown fields; 422 otherwise); delete of an unknown record 404. Errors carry Hetzner's
{"error": {"message", "code"}} (401 as {"message"}).
Test knob: credential `page_cap` makes pages shorter than `per_page` asks.
Not checked: the Cloud API that replaces this one (api.hetzner.cloud, HETZNER_API_TOKEN), rate-limit
headers, record types other than TXT, bulk endpoints.
"""
import hashlib
import time

from provider_api import ApiError


class Rules:
    def __init__(self, lab):
        self.lab = lab
        self.zones = {hashlib.md5(z.encode()).hexdigest()[:22]: z for z in lab.zones}
        self.records = {}

    def routes(self):
        return [
            ("GET", r"^/api/v1/zones$", self.list_zones),
            ("GET", r"^/api/v1/records$", self.list_records),
            ("POST", r"^/api/v1/records$", self.create_record),
            ("DELETE", r"^/api/v1/records/(?P<id>[0-9a-f]{32})$", self.delete_record),
        ]

    @staticmethod
    def error(status, message):
        return ApiError(status, {"error": {"message": message, "code": status}})

    def authenticate(self, request):
        if request.headers.get("Auth-API-Token") != self.lab.credentials.get("token"):
            raise ApiError(401, {"message": "Invalid authentication credentials"})

    def paginate(self, request, key, items):
        try:
            page, per_page = int(request.arg("page", "1")), int(request.arg("per_page", "100"))
        except ValueError:
            raise self.error(400, "page and per_page must be integers")
        if page < 1 or not 1 <= per_page <= 100:
            raise self.error(400, "per_page must be between 1 and 100, page at least 1")
        per_page = min(per_page, int(self.lab.credentials.get("page_cap", per_page)))
        last = max(1, -(-len(items) // per_page))
        return 200, {key: items[(page - 1) * per_page: page * per_page],
                     "meta": {"pagination": {"page": page, "per_page": per_page, "previous_page": max(1, page - 1),
                                             "next_page": min(last, page + 1), "last_page": last, "total_entries": len(items)}}}

    def list_zones(self, request):
        name = request.arg("name")
        zones = [{"id": i, "name": z, "ttl": 86400, "status": "verified", "records_count": 0, "paused": False}
                 for i, z in sorted(self.zones.items(), key=lambda kv: kv[1]) if name is None or z == name.lower()]
        if name is not None and not zones:
            raise self.error(404, "zone not found")
        return self.paginate(request, "zones", zones)

    def list_records(self, request):
        zone_id = request.arg("zone_id")
        if zone_id is None:
            raise self.error(400, "zone_id is required")
        if zone_id not in self.zones:
            raise self.error(404, "zone not found")
        with self.lab.lock:
            records = [r for r in self.records.values() if r["zone_id"] == zone_id]  # in creation order
        return self.paginate(request, "records", records)

    @staticmethod
    def full_name(name, zone):
        return zone if name == "@" else "%s.%s" % (name, zone)

    def create_record(self, request):
        body = request.json(lambda message: self.error(400, message))
        if not isinstance(body, dict):
            raise self.error(422, "the request body must be a JSON object")
        unknown = set(body) - {"name", "ttl", "type", "value", "zone_id"}
        if unknown:
            raise self.error(422, "unknown fields: %s" % ", ".join(sorted(unknown)))
        zone = self.zones.get(body.get("zone_id"))
        if zone is None:
            raise self.error(422, "zone_id does not name a zone of this account")
        if body.get("type") != "TXT":
            raise self.error(422, "this stand-in serves TXT records only")
        name, value, ttl = body.get("name"), body.get("value"), body.get("ttl", 86400)
        if not isinstance(name, str) or not name or name.endswith(".") or name.lower().endswith("." + zone):
            raise self.error(422, "name must be relative to the zone, or @")
        if not isinstance(value, str) or not value:
            raise self.error(422, "value must not be empty")
        if not isinstance(ttl, int) or ttl < 60:
            raise self.error(422, "ttl must be a whole number of at least 60")
        with self.lab.lock:
            now = time.strftime("%Y-%m-%d %H:%M:%S.000 +0000 UTC", time.gmtime())
            record_id = hashlib.md5(("%s %s %d" % (name, value, self.lab.new_id())).encode()).hexdigest()
            record = {"id": record_id, "type": "TXT", "name": name.lower(), "value": value, "ttl": ttl,
                      "zone_id": body["zone_id"], "created": now, "modified": now}
            try:
                self.lab.publish(True, self.full_name(record["name"], zone), value.strip('"'), ttl)
            except RuntimeError as failure:
                raise self.error(500, str(failure))
            self.records[record_id] = record
        return 200, {"record": record}

    def delete_record(self, request):
        with self.lab.lock:
            record = self.records.get(request.match.group("id"))
            if record is None:
                raise self.error(404, "record not found")
            self.lab.publish(False, self.full_name(record["name"], self.zones[record["zone_id"]]), record["value"].strip('"'))
            del self.records[record["id"]]
        return 200, None

    def snapshot(self):
        with self.lab.lock:
            return list(self.records.values())
