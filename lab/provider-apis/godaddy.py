"""GoDaddy Domains API v1, the DNS record part DNS-01 uses.

Follows:
  https://developer.godaddy.com/doc/endpoint/domains#/v1/recordGet (GET /v1/domains/{domain}/records/{type}/{name})
  https://developer.godaddy.com/doc/endpoint/domains#/v1/recordReplaceTypeName (PUT, same path)
  https://developer.godaddy.com/doc/endpoint/domains#/v1/recordDeleteTypeName (DELETE, same path)
  https://developer.godaddy.com/getstarted (the `Authorization: sso-key KEY:SECRET` header)
  https://go-acme.github.io/lego/dns/godaddy/ (variables; TTL at least 600)

The v1 record API has no record ids: a PUT replaces every record of one name and type with the
array it is given, so an adapter reads, merges and writes the whole set.

Checked: `Authorization: sso-key KEY:SECRET` (credentials `key`, `secret`), 401 with the
documented {code, message} error otherwise; the domain is one this account holds (404
UNKNOWN_DOMAIN); the record name is relative to the domain (`@` for the apex, never the
domain itself); `offset`/`limit` are numbers in range; the PUT body is a JSON array of records
with only the documented fields (data, port, priority, protocol, service, ttl, weight), each
TXT with a non-empty `data` of at most 255 characters and a `ttl` of 600 or more; the same data
twice in one array is refused (422), as is an empty array (lego's client deletes instead; the
stand-in refuses it so an adapter that relies on it fails here); DELETE of a name with no
records is 404.
Not checked: X-Shopper-Id, the account's domain-count eligibility (403 ACCESS_DENIED on small
accounts), record types other than TXT, the 60 requests-per-minute limit (tests inject 429).
"""
from provider_api import ApiError

RECORDS = r"^/v1/domains/(?P<domain>[^/]+)/records/(?P<type>[A-Z]+)/(?P<name>[^/]+)$"
FIELDS = {"data", "port", "priority", "protocol", "service", "ttl", "weight"}


class Rules:
    def __init__(self, lab):
        self.lab = lab
        # (domain, relative name) → [{"data", "ttl"}]
        self.sets = {}

    def routes(self):
        return [
            ("GET", RECORDS, self.get_records),
            ("PUT", RECORDS, self.replace_records),
            ("DELETE", RECORDS, self.delete_records),
        ]

    @staticmethod
    def error(status, message, code="ERROR", fields=None):
        body = {"code": code, "message": message}
        if fields:
            body["fields"] = fields
        return ApiError(status, body)

    def authenticate(self, request):
        expected = "sso-key %s:%s" % (self.lab.credentials.get("key"), self.lab.credentials.get("secret"))
        authorization = request.headers.get("Authorization", "")
        if not authorization.startswith("sso-key "):
            raise self.error(401, "Unable to authenticate request: no sso-key Authorization header", "UNABLE_TO_AUTHENTICATE")
        if authorization != expected:
            raise self.error(401, "Unable to authenticate request", "UNABLE_TO_AUTHENTICATE")

    def target(self, request):
        domain = request.match.group("domain").lower()
        if domain not in self.lab.zones:
            raise self.error(404, "The given domain is not registered, or does not have a zone file", "UNKNOWN_DOMAIN")
        if request.match.group("type") != "TXT":
            raise self.error(422, "this stand-in serves TXT records only", "INVALID_BODY")
        name = request.match.group("name").lower()
        if name == domain or name.endswith("." + domain) or name.endswith("."):
            raise self.error(422, "name must be relative to the domain, not %s" % name, "INVALID_BODY")
        return domain, name

    def fqdn(self, domain, name):
        return domain if name == "@" else "%s.%s" % (name, domain)

    def get_records(self, request):
        domain, name = self.target(request)
        try:
            offset, limit = int(request.arg("offset", "0")), int(request.arg("limit", "500"))
        except ValueError:
            raise self.error(400, "offset and limit must be integers", "INVALID_QUERY")
        if offset < 0 or not 1 <= limit <= 500:
            raise self.error(400, "offset must be 0 or more and limit between 1 and 500", "INVALID_QUERY")
        with self.lab.lock:
            records = [{"data": r["data"], "name": name, "ttl": r["ttl"], "type": "TXT"} for r in self.sets.get((domain, name), [])]
        return 200, records[offset:offset + limit]

    def replace_records(self, request):
        domain, name = self.target(request)
        body = request.json(lambda message: self.error(400, message, "INVALID_BODY"))
        if not isinstance(body, list) or not body:
            raise self.error(422, "Request body doesn't fulfill schema, see details in `fields`", "INVALID_BODY",
                             [{"path": "records", "code": "MISMATCH_FORMAT", "message": "must be a non-empty array of records"}])
        wanted = []
        for index, record in enumerate(body):
            path = "records[%d]" % index
            if not isinstance(record, dict) or set(record) - FIELDS:
                raise self.error(422, "Request body doesn't fulfill schema, see details in `fields`", "INVALID_BODY",
                                 [{"path": path, "code": "UNEXPECTED_PROPERTY", "message": "unknown fields: %s" % sorted(set(record) - FIELDS) if isinstance(record, dict) else "not an object"}])
            data, ttl = record.get("data"), record.get("ttl", 3600)
            if not isinstance(data, str) or not data or len(data) > 255:
                raise self.error(422, "Request body doesn't fulfill schema, see details in `fields`", "INVALID_BODY",
                                 [{"path": path + ".data", "code": "MISMATCH_FORMAT", "message": "data must be 1 to 255 characters"}])
            if not isinstance(ttl, int) or isinstance(ttl, bool) or ttl < 600:
                raise self.error(422, "Request body doesn't fulfill schema, see details in `fields`", "INVALID_BODY",
                                 [{"path": path + ".ttl", "code": "MISMATCH_FORMAT", "message": "ttl must be at least 600"}])
            if any(w["data"] == data for w in wanted):
                raise self.error(422, "Duplicate record: %s" % data, "DUPLICATE_RECORD")
            wanted.append({"data": data, "ttl": ttl})
        fqdn = self.fqdn(domain, name)
        with self.lab.lock:
            before = {r["data"] for r in self.sets.get((domain, name), [])}
            after = {r["data"] for r in wanted}
            try:
                for value in sorted(before - after):
                    self.lab.publish(False, fqdn, value)
                for value in sorted(after - before):
                    self.lab.publish(True, fqdn, value, 60)
            except RuntimeError as failure:
                raise self.error(500, str(failure), "INTERNAL_SERVER_ERROR")
            self.sets[(domain, name)] = wanted
        return 200, None

    def delete_records(self, request):
        domain, name = self.target(request)
        with self.lab.lock:
            records = self.sets.get((domain, name))
            if not records:
                raise self.error(404, "No TXT records found for %s" % name, "NOT_FOUND")
            for record in records:
                self.lab.publish(False, self.fqdn(domain, name), record["data"])
            del self.sets[(domain, name)]
        return 204, None

    def snapshot(self):
        with self.lab.lock:
            return [{"domain": d, "name": n, "records": r} for (d, n), r in sorted(self.sets.items())]
