"""DigitalOcean API v2, the part DNS-01 uses: domain records.

Follows:
  https://docs.digitalocean.com/reference/api/digitalocean/#tag/Domain-Records
    (list: GET /v2/domains/{domain_name}/records with `type`, `name`, `page`, `per_page`;
     create: POST /v2/domains/{domain_name}/records; delete: DELETE …/records/{id} → 204)
  https://docs.digitalocean.com/reference/api/digitalocean/#section/Introduction/Links-and-Pagination
    (per_page 1–200, default 20; `links.pages.next` while there is a next page; `meta.total`)
  https://docs.digitalocean.com/reference/api/digitalocean/#section/Introduction/Responses
    (errors as {"id": …, "message": …}; 401 "unauthorized")
  https://docs.digitalocean.com/reference/api/digitalocean/#section/Authentication
    (`Authorization: Bearer <token>`)

Checked: the Bearer token (credential `token`); the domain exists (404 not_found otherwise);
`page` ≥ 1 and `per_page` 1–200; `name` as a filter only together with `type`, and as the full
name; the create body (type TXT, name relative to the domain, "@" or the FQDN with its dot, data
non-empty, ttl ≥ 30, no unknown fields); 201 with `domain_record`; delete of an unknown record
404. The records are shown as DigitalOcean shows them: `name` relative ("@" for the apex), `data`
as given (TXT contents unquoted).
Test knob: credential `page_cap` makes pages shorter than `per_page` asks, so the adapter's
following of `links.pages.next` is exercised without hundreds of records.
Not checked: token scopes (read vs write), the rate-limit headers DigitalOcean sends on every
answer (RateLimit-Limit/-Remaining/-Reset), record types other than TXT, the `tag`/`flags` fields.
"""
from urllib.parse import urlencode

from provider_api import ApiError

RECORDS = r"^/v2/domains/(?P<domain>[^/]+)/records"


class Rules:
    def __init__(self, lab):
        self.lab = lab
        self.records = {}

    def routes(self):
        return [
            ("GET", RECORDS + "$", self.list_records),
            ("POST", RECORDS + "$", self.create_record),
            ("DELETE", RECORDS + r"/(?P<id>\d+)$", self.delete_record),
        ]

    @staticmethod
    def error(status, message, ident="bad_request"):
        return ApiError(status, {"id": ident, "message": message, "request_id": "lab-request"})

    def authenticate(self, request):
        authorization = request.headers.get("Authorization", "")
        if authorization != "Bearer " + self.lab.credentials.get("token", ""):
            raise self.error(401, "Unable to authenticate you", "Unauthorized")

    def domain(self, request):
        domain = request.match.group("domain").lower()
        if domain not in self.lab.zones:
            raise self.error(404, "The resource you were accessing could not be found.", "not_found")
        return domain

    @staticmethod
    def full_name(relative, domain):
        return domain if relative == "@" else "%s.%s" % (relative, domain)

    def list_records(self, request):
        domain = self.domain(request)
        try:
            page, per_page = int(request.arg("page", "1")), int(request.arg("per_page", "20"))
        except ValueError:
            raise self.error(400, "page and per_page must be integers")
        if page < 1 or not 1 <= per_page <= 200:
            raise self.error(400, "per_page must be between 1 and 200, page at least 1")
        kind, name = request.arg("type"), request.arg("name")
        if name is not None and kind is None:
            raise self.error(422, "name can only be used as a filter together with type", "unprocessable_entity")
        with self.lab.lock:
            found = [r for r in self.records.values() if r["domain"] == domain
                     and (kind is None or r["type"] == kind)
                     and (name is None or self.full_name(r["name"], domain) == name.rstrip(".").lower())]
        found.sort(key=lambda r: r["id"])
        # A test may make the stand-in answer fewer records than asked, as any page may be short.
        per_page = min(per_page, int(self.lab.credentials.get("page_cap", per_page)))
        chosen = found[(page - 1) * per_page: page * per_page]
        pages = {}
        if page * per_page < len(found):
            query = {k: v for k, v in (("type", kind), ("name", name)) if v is not None}
            base = "https://%s%s?" % (request.headers.get("Host", "api.digitalocean.com"), request.path)
            pages["next"] = base + urlencode(dict(query, page=page + 1, per_page=per_page))
            pages["last"] = base + urlencode(dict(query, page=-(-len(found) // per_page), per_page=per_page))
        shown = [{k: v for k, v in r.items() if k != "domain"} for r in chosen]
        return 200, {"domain_records": shown, "links": {"pages": pages}, "meta": {"total": len(found)}}

    def create_record(self, request):
        domain = self.domain(request)
        body = request.json(lambda message: self.error(400, message))
        if not isinstance(body, dict):
            raise self.error(400, "the request body must be a JSON object")
        unknown = set(body) - {"type", "name", "data", "priority", "port", "ttl", "weight", "flags", "tag"}
        if unknown:
            raise self.error(422, "unknown fields: %s" % ", ".join(sorted(unknown)), "unprocessable_entity")
        if body.get("type") != "TXT":
            raise self.error(422, "this stand-in serves TXT records only", "unprocessable_entity")
        name = str(body.get("name") or "").lower()
        if name.endswith("."):
            full = name.rstrip(".")
            if self.lab.zone_of(full) != domain:
                raise self.error(422, "Name is not within the domain %s" % domain, "unprocessable_entity")
            name = "@" if full == domain else full[: -len(domain) - 1]
        if not name or name.endswith("." + domain):
            raise self.error(422, "Name must be relative to the domain (or @, or the FQDN with a trailing dot)", "unprocessable_entity")
        data, ttl = body.get("data"), body.get("ttl", 1800)
        if not isinstance(data, str) or not data:
            raise self.error(422, "Data needs to be a non-empty string", "unprocessable_entity")
        if not isinstance(ttl, int) or ttl < 30:
            raise self.error(422, "TTL must be at least 30 seconds", "unprocessable_entity")
        with self.lab.lock:
            record = {"id": self.lab.new_id(), "type": "TXT", "name": name, "data": data, "priority": None, "port": None,
                      "ttl": ttl, "weight": None, "flags": None, "tag": None, "domain": domain}
            try:
                self.lab.publish(True, self.full_name(name, domain), data, ttl)
            except RuntimeError as failure:
                raise self.error(500, str(failure), "server_error")
            self.records[record["id"]] = record
        return 201, {"domain_record": {k: v for k, v in record.items() if k != "domain"}}

    def delete_record(self, request):
        domain = self.domain(request)
        with self.lab.lock:
            record = self.records.get(int(request.match.group("id")))
            if record is None or record["domain"] != domain:
                raise self.error(404, "The resource you were accessing could not be found.", "not_found")
            self.lab.publish(False, self.full_name(record["name"], domain), record["data"])
            del self.records[record["id"]]
        return 204, None

    def snapshot(self):
        with self.lab.lock:
            return list(self.records.values())
