"""ClouDNS HTTP API, the DNS part DNS-01 uses.

Follows:
  https://www.cloudns.net/wiki/article/42/ (API introduction: auth-id or sub-auth-id with
    auth-password as request parameters, sent by GET or POST; JSON answers)
  https://www.cloudns.net/wiki/article/134/ (get-zone-info.json)
  https://www.cloudns.net/wiki/article/57/ (records.json)
  https://www.cloudns.net/wiki/article/58/ (add-record.json, the accepted TTLs)
  https://www.cloudns.net/wiki/article/59/ (delete-record.json)
  https://go-acme.github.io/lego/dns/cloudns/ (variables)

ClouDNS answers refusals with HTTP 200 and {"status": "Failed", "statusDescription": …}.

Checked: POST with an application/x-www-form-urlencoded body carrying `auth-id` (credential
`auth_id`) or `sub-auth-id` (credential `sub_auth_id`) and `auth-password` (credential
`password`) — a wrong set is "Invalid authentication, incorrect auth-id or auth-password.";
credentials in the URL's query are refused here although the real API takes them there, so an
adapter that would put them in a logged URL fails; the zone exists (get-zone-info.json);
records.json filters by `host` (exact, "" for the apex) and `type`, answers an object keyed by
record id with string fields, or [] when nothing matches; add-record.json takes
`record-type` TXT, `host` relative, non-empty `record` and a `ttl` from the documented list;
the same record twice is refused; delete-record.json needs a known `record-id` in the zone.
Not checked: GET requests, the zone-sync status calls (update-status.json, is-updated.json),
IP allow-listing of API users, the per-user rate limit, record types other than TXT.
"""
from urllib.parse import parse_qs

from provider_api import ApiError

TTLS = {60, 300, 900, 1800, 3600, 21600, 43200, 86400, 172800, 259200, 604800, 1209600, 2592000}


class Rules:
    def __init__(self, lab):
        self.lab = lab
        self.records = {}

    def routes(self):
        return [
            ("POST", r"^/dns/get-zone-info\.json$", self.zone_info),
            ("POST", r"^/dns/records\.json$", self.list_records),
            ("POST", r"^/dns/add-record\.json$", self.add_record),
            ("POST", r"^/dns/delete-record\.json$", self.delete_record),
        ]

    @staticmethod
    def error(status, message):
        return ApiError(status, {"status": "Failed", "statusDescription": message})

    @staticmethod
    def failed(message):
        return ApiError(200, {"status": "Failed", "statusDescription": message})

    def authenticate(self, request):
        if any(k in request.query for k in ("auth-id", "sub-auth-id", "auth-password")):
            raise self.error(400, "this stand-in refuses credentials in the URL: send them in the POST body")
        if request.headers.get("Content-Type", "").split(";")[0].strip() != "application/x-www-form-urlencoded":
            raise self.failed("Missing auth-id or sub-auth-id, and auth-password (expected a form body)")
        form = {k: v[0] for k, v in parse_qs(request.raw.decode("utf-8"), keep_blank_values=True).items()}
        credentials = self.lab.credentials
        if "auth-id" in form and "sub-auth-id" in form:
            raise self.failed("Use either auth-id or sub-auth-id, not both.")
        if "auth-id" in form:
            ok = credentials.get("auth_id") is not None and form["auth-id"] == credentials.get("auth_id")
        elif "sub-auth-id" in form:
            ok = credentials.get("sub_auth_id") is not None and form["sub-auth-id"] == credentials.get("sub_auth_id")
        else:
            raise self.failed("Missing auth-id or sub-auth-id.")
        if not ok or form.get("auth-password") != credentials.get("password"):
            raise self.failed("Invalid authentication, incorrect auth-id or auth-password.")
        request.form = form

    def zone(self, request):
        zone = request.form.get("domain-name", "").lower()
        if not zone:
            raise self.failed("Missing domain-name")
        if zone not in self.lab.zones:
            raise self.failed("Invalid domain-name param.")
        return zone

    def zone_info(self, request):
        zone = self.zone(request)
        return 200, {"name": zone, "type": "master", "zone": "domain", "status": "1"}

    def list_records(self, request):
        zone, form = self.zone(request), request.form
        host, kind = form.get("host"), form.get("type")
        with self.lab.lock:
            found = {rid: {k: v for k, v in r.items() if k != "zone"} for rid, r in self.records.items()
                     if r["zone"] == zone and (host is None or r["host"] == host.lower()) and (kind is None or r["type"] == kind.upper())}
        return 200, found if found else []

    def add_record(self, request):
        zone, form = self.zone(request), request.form
        if form.get("record-type") != "TXT":
            raise self.failed("this stand-in serves TXT records only")
        host, value = form.get("host", "").lower(), form.get("record", "")
        if host.endswith("." + zone) or host == zone or host.endswith("."):
            raise self.failed("Invalid host: give the host relative to the zone.")
        if not value:
            raise self.failed("Missing record")
        try:
            ttl = int(form.get("ttl", ""))
        except ValueError:
            raise self.failed("Invalid TTL. Choose from the list of the values we support.")
        if ttl not in TTLS:
            raise self.failed("Invalid TTL. Choose from the list of the values we support.")
        fqdn = "%s.%s" % (host, zone) if host else zone
        with self.lab.lock:
            if any(r["zone"] == zone and r["host"] == host and r["record"] == value for r in self.records.values()):
                raise self.failed("The record already exists.")
            record_id = str(self.lab.new_id())
            try:
                self.lab.publish(True, fqdn, value, 60)
            except RuntimeError as failure:
                raise self.error(500, str(failure))
            self.records[record_id] = {"id": record_id, "zone": zone, "type": "TXT", "host": host, "record": value,
                                       "dynamicurl_status": 0, "failover": "0", "ttl": str(ttl), "status": 1}
        return 200, {"status": "Success", "statusDescription": "The record was added successfully.", "data": {"id": int(record_id)}}

    def delete_record(self, request):
        zone, form = self.zone(request), request.form
        with self.lab.lock:
            record = self.records.get(form.get("record-id", ""))
            if record is None or record["zone"] != zone:
                raise self.failed("Invalid record-id param.")
            self.lab.publish(False, "%s.%s" % (record["host"], zone) if record["host"] else zone, record["record"])
            del self.records[record["id"]]
        return 200, {"status": "Success", "statusDescription": "The record was deleted successfully."}

    def snapshot(self):
        with self.lab.lock:
            return list(self.records.values())
