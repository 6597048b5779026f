"""Linode (Akamai) API v4, the part DNS-01 uses: domains and their records.

Follows:
  https://techdocs.akamai.com/linode-api/reference/get-domains (list; `page`, `page_size` 25–500,
    default 100; envelope {data, page, pages, results}; filterable by `domain` through X-Filter)
  https://techdocs.akamai.com/linode-api/reference/get-domain-records (list of one domain's records)
  https://techdocs.akamai.com/linode-api/reference/post-domain-record (body type, name, target,
    ttl_sec; 200 with the record)
  https://techdocs.akamai.com/linode-api/reference/delete-domain-record (200 {})
  https://techdocs.akamai.com/linode-api/reference/filtering-and-sorting (X-Filter JSON)
  https://techdocs.akamai.com/linode-api/reference/errors ({"errors": [{"reason", "field"}]})
  https://techdocs.akamai.com/linode-api/reference/get-started (Authorization: Bearer <token>)

Checked: the Bearer token (credential `token`; 401 "Invalid Token"); `page` ≥ 1 and `page_size`
25–500; X-Filter on the domain list is JSON whose keys are filterable fields (`domain`, `type`,
`status`, `tags`), 400 otherwise; the record body (type TXT, name relative to the domain or
empty for the apex, target non-empty, ttl_sec a whole number, no unknown fields; 400 with the
field named otherwise); ttl_sec rounded up to the next value Linode serves (0 = the domain's
default); unknown domain or record 404 "Not found".
Test knob: credential `page_cap` makes pages shorter than `page_size` asks.
Not checked: token scopes (domains:read_write), X-Filter operators (+or, +gt, …) and filters on
the record list, the records' `created`/`updated` times, record types other than TXT.
"""
import json

from provider_api import ApiError

DOMAIN = r"^/v4/domains/(?P<domain>\d+)/records"
TTLS = [300, 3600, 7200, 14400, 28800, 57600, 86400, 172800, 345600, 604800, 1209600, 2419200]


class Rules:
    def __init__(self, lab):
        self.lab = lab
        self.domains = {}
        for zone in lab.zones:
            self.domains[lab.new_id()] = zone
        self.records = {}

    def routes(self):
        return [
            ("GET", r"^/v4/domains$", self.list_domains),
            ("GET", DOMAIN + "$", self.list_records),
            ("POST", DOMAIN + "$", self.create_record),
            ("DELETE", DOMAIN + r"/(?P<id>\d+)$", self.delete_record),
        ]

    @staticmethod
    def error(status, reason, field=None):
        item = {"reason": reason}
        if field:
            item["field"] = field
        return ApiError(status, {"errors": [item]})

    def authenticate(self, request):
        if request.headers.get("Authorization", "") != "Bearer " + self.lab.credentials.get("token", ""):
            raise self.error(401, "Invalid Token")

    def paginate(self, request, items):
        try:
            page, size = int(request.arg("page", "1")), int(request.arg("page_size", "100"))
        except ValueError:
            raise self.error(400, "Must be an integer", "page")
        if page < 1:
            raise self.error(400, "Must be at least 1", "page")
        if not 25 <= size <= 500:
            raise self.error(400, "Must be between 25 and 500", "page_size")
        size = min(size, int(self.lab.credentials.get("page_cap", size)))
        pages = max(1, -(-len(items) // size))
        return 200, {"data": items[(page - 1) * size: page * size], "page": page, "pages": pages, "results": len(items)}

    def list_domains(self, request):
        wanted = {}
        if "X-Filter" in request.headers:
            try:
                wanted = json.loads(request.headers["X-Filter"])
            except ValueError:
                raise self.error(400, "X-Filter must be valid JSON")
            if not isinstance(wanted, dict) or set(wanted) - {"domain", "type", "status", "tags"}:
                raise self.error(400, "Cannot filter on %s" % ", ".join(sorted(set(wanted) - {"domain", "type", "status", "tags"}) if isinstance(wanted, dict) else ["that"]))
        domains = [{"id": i, "domain": z, "type": "master", "status": "active", "soa_email": "hostmaster@" + z, "tags": [],
                    "ttl_sec": 0, "description": "", "group": ""} for i, z in sorted(self.domains.items())]
        domains = [d for d in domains if all(d.get(k) == v for k, v in wanted.items())]
        return self.paginate(request, domains)

    def domain(self, request):
        ident = int(request.match.group("domain"))
        if ident not in self.domains:
            raise self.error(404, "Not found")
        return ident, self.domains[ident]

    def list_records(self, request):
        ident, _ = self.domain(request)
        with self.lab.lock:
            records = [{k: v for k, v in r.items() if k != "domain_id"} for r in self.records.values() if r["domain_id"] == ident]
        return self.paginate(request, records)

    @staticmethod
    def full_name(name, zone):
        return "%s.%s" % (name, zone) if name else zone

    def create_record(self, request):
        ident, zone = self.domain(request)
        body = request.json(lambda message: self.error(400, message))
        if not isinstance(body, dict):
            raise self.error(400, "The request body must be a JSON object")
        unknown = set(body) - {"type", "name", "target", "ttl_sec", "priority", "weight", "port", "service", "protocol", "tag"}
        if unknown:
            raise self.error(400, "Unknown field", sorted(unknown)[0])
        if body.get("type") != "TXT":
            raise self.error(400, "This stand-in serves TXT records only", "type")
        name, target, ttl = body.get("name", ""), body.get("target"), body.get("ttl_sec", 0)
        if not isinstance(name, str) or name.endswith(".") or name.lower().endswith("." + zone) or name.lower() == zone:
            raise self.error(400, "Must be relative to the domain (empty for the domain itself)", "name")
        if not isinstance(target, str) or not target:
            raise self.error(400, "Must not be empty", "target")
        if not isinstance(ttl, int) or ttl < 0:
            raise self.error(400, "Must be a whole number of seconds", "ttl_sec")
        ttl = 0 if ttl == 0 else next((t for t in TTLS if t >= ttl), TTLS[-1])
        with self.lab.lock:
            record = {"id": self.lab.new_id(), "type": "TXT", "name": name.lower(), "target": target, "ttl_sec": ttl, "priority": 0,
                      "weight": 0, "port": 0, "service": None, "protocol": None, "tag": None, "domain_id": ident}
            try:
                self.lab.publish(True, self.full_name(record["name"], zone), target, ttl or 300)
            except RuntimeError as failure:
                raise self.error(500, str(failure))
            self.records[record["id"]] = record
        return 200, {k: v for k, v in record.items() if k != "domain_id"}

    def delete_record(self, request):
        ident, zone = self.domain(request)
        with self.lab.lock:
            record = self.records.get(int(request.match.group("id")))
            if record is None or record["domain_id"] != ident:
                raise self.error(404, "Not found")
            self.lab.publish(False, self.full_name(record["name"], zone), record["target"])
            del self.records[record["id"]]
        return 200, {}

    def snapshot(self):
        with self.lab.lock:
            return list(self.records.values())
