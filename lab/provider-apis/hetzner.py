"""Hetzner DNS, the part DNS-01 uses, in both of its APIs: the DNS Console API
(dns.hetzner.com/api/v1, paths /api/v1/…) and the Hetzner Cloud API's DNS (api.hetzner.cloud/v1,
paths /v1/…), which replaces it.

Follows:
  https://dns.hetzner.com/api-docs#section/Authentication (header `Auth-API-Token`)
  https://dns.hetzner.com/api-docs#operation/GetZones (`name`, `page`, `per_page` ≤ 100;
    `meta.pagination`; a name with no zone: 404)
  https://dns.hetzner.com/api-docs#operation/GetRecords (`zone_id`, `page`, `per_page`)
  https://dns.hetzner.com/api-docs#operation/CreateRecord (body name, ttl, type, value, zone_id;
    200 with `record`)
  https://dns.hetzner.com/api-docs#operation/DeleteRecord (200; unknown id 404)

Cloud API, following:
  https://docs.hetzner.cloud/reference/cloud#authentication (Authorization: Bearer <token>;
    401 {"error": {"code": "unauthorized", …}})
  https://docs.hetzner.cloud/reference/cloud#zone-rrset-actions-add-records-to-an-rrset
    (POST /zones/{id_or_name}/rrsets/{name}/{type}/actions/add_records {ttl, records: [{value}]};
    201 with an `action`; creates the RRset when missing)
  https://docs.hetzner.cloud/reference/cloud#zone-rrset-actions-remove-records-from-an-rrset
    (…/actions/remove_records {records: [{value}]}; the RRset goes with its last record)
  https://docs.hetzner.cloud/reference/cloud#actions-get-an-action (status running/success/error)
  https://docs.hetzner.cloud/reference/cloud#errors ({"error": {"code", "message", "details"}})

Checked (DNS Console API): the `Auth-API-Token` header (credential `token`; 401 "Invalid authentication
credentials" otherwise); zone lookup by exact `name`; `page` ≥ 1 and `per_page` 1–100 on both
lists; records listed by `zone_id` (required); the create body (type TXT, name relative to the
zone or "@", value non-empty, ttl a whole number ≥ 60 when given, zone_id of a served zone, no
unknown fields; 422 otherwise); delete of an unknown record 404. Errors carry Hetzner's
{"error": {"message", "code"}} (401 as {"message"}).
Checked (Cloud API): the Bearer token (credential `cloud_token`); the zone by id or name (404
not_found); RRset name relative ("@" for the apex) and type TXT; the add body (ttl ≥ 60 or null,
records a non-empty list of {value[, comment]} with TXT values quoted; 422 invalid_input
otherwise), the remove body (records only); each action is "running" at its first read and
"success" after, so the adapter has to wait for it.
Test knobs: credential `page_cap` makes Console pages shorter than `per_page` asks; `fail_actions`
makes every action end in "error".
Not checked: rate-limit headers, record types other than TXT, bulk endpoints, labels and change
protection, removing a value the RRset does not hold (the stand-in ignores it).
"""
import hashlib
import time

from provider_api import ApiError

CLOUD_RRSET = r"^/v1/zones/(?P<zone>[^/]+)/rrsets/(?P<name>[^/]+)/(?P<type>[A-Z]+)/"


class Rules:
    def __init__(self, lab):
        self.lab = lab
        self.zones = {hashlib.md5(z.encode()).hexdigest()[:22]: z for z in lab.zones}
        self.records = {}
        self.rrsets = {}  # Cloud API: (zone, name) -> {"ttl", "records": [values]}
        self.actions = {}  # Cloud API: id -> times read

    def routes(self):
        return [
            ("GET", r"^/api/v1/zones$", self.list_zones),
            ("GET", r"^/api/v1/records$", self.list_records),
            ("POST", r"^/api/v1/records$", self.create_record),
            ("DELETE", r"^/api/v1/records/(?P<id>[0-9a-f]{32})$", self.delete_record),
            ("POST", CLOUD_RRSET + r"actions/(?P<action>add_records|remove_records)$", self.change_rrset),
            ("GET", r"^/v1/actions/(?P<id>\d+)$", self.get_action),
        ]

    @staticmethod
    def error(status, message):
        return ApiError(status, {"error": {"message": message, "code": status}})

    @staticmethod
    def cloud_error(status, code, message):
        return ApiError(status, {"error": {"code": code, "message": message, "details": {}}})

    def authenticate(self, request):
        if request.path.startswith("/v1/"):
            if request.headers.get("Authorization", "") != "Bearer " + self.lab.credentials.get("cloud_token", ""):
                raise self.cloud_error(401, "unauthorized", "unable to authenticate")
            return
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

    def change_rrset(self, request):
        wanted = request.match.group("zone").lower()
        zone = self.zones.get(wanted) or (wanted if wanted in self.lab.zones else None)
        if zone is None:
            raise self.cloud_error(404, "not_found", "zone with ID or name %s not found" % wanted)
        name, kind, adding = request.match.group("name").lower(), request.match.group("type"), request.match.group("action") == "add_records"
        if kind != "TXT":
            raise self.cloud_error(422, "invalid_input", "this stand-in serves TXT records only")
        if name.endswith(".") or name == zone or name.endswith("." + zone):
            raise self.cloud_error(422, "invalid_input", "the RRset name must be relative to the zone, or @")
        body = request.json(lambda message: self.cloud_error(400, "json_error", message))
        allowed = {"ttl", "records"} if adding else {"records"}
        if not isinstance(body, dict) or set(body) - allowed:
            raise self.cloud_error(422, "invalid_input", "unknown fields: %s" % ", ".join(sorted(set(body) - allowed)) if isinstance(body, dict) else "the body must be a JSON object")
        records, ttl = body.get("records"), body.get("ttl")
        if not isinstance(records, list) or not records or not all(isinstance(r, dict) and set(r) <= {"value", "comment"} and isinstance(r.get("value"), str) for r in records):
            raise self.cloud_error(422, "invalid_input", "records must be a non-empty list of {value, comment}")
        values = [r["value"] for r in records]
        if any(len(v) < 2 or not (v.startswith('"') and v.endswith('"')) for v in values):
            raise self.cloud_error(422, "invalid_input", "TXT record values must be enclosed in double quotes")
        if ttl is not None and (not isinstance(ttl, int) or ttl < 60):
            raise self.cloud_error(422, "invalid_input", "ttl must be at least 60")
        fqdn = zone if name == "@" else "%s.%s" % (name, zone)
        with self.lab.lock:
            rrset = self.rrsets.setdefault((zone, name), {"ttl": ttl, "records": []})
            for value in values:
                if adding and value not in rrset["records"]:
                    self.lab.publish(True, fqdn, value[1:-1], rrset["ttl"] or 3600)
                    rrset["records"].append(value)
                elif not adding and value in rrset["records"]:
                    self.lab.publish(False, fqdn, value[1:-1])
                    rrset["records"].remove(value)
            if not rrset["records"]:
                del self.rrsets[(zone, name)]
            action = self.lab.new_id()
            self.actions[action] = 0
        return 201, {"action": self.action(action, "add_rrset_records" if adding else "remove_rrset_records", "running")}

    def action(self, ident, command, status):
        failed = status == "error"
        return {"id": ident, "command": command, "status": status, "progress": 100 if status != "running" else 0,
                "started": "2026-01-01T00:00:00+00:00", "finished": None if status == "running" else "2026-01-01T00:00:01+00:00",
                "resources": [], "error": {"code": "action_failed", "message": "the stand-in was told to fail actions"} if failed else None}

    def get_action(self, request):
        ident = int(request.match.group("id"))
        with self.lab.lock:
            if ident not in self.actions:
                raise self.cloud_error(404, "not_found", "action with ID %d not found" % ident)
            self.actions[ident] += 1
            reads = self.actions[ident]
        status = "running" if reads == 1 else ("error" if self.lab.credentials.get("fail_actions") else "success")
        return 200, {"action": self.action(ident, "change_rrset_records", status)}

    def snapshot(self):
        with self.lab.lock:
            return list(self.records.values())
