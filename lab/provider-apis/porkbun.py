"""Porkbun API v3, the DNS part DNS-01 uses.

Follows:
  https://porkbun.com/api/json/v3/documentation (Authentication; DNS Create Record; DNS Retrieve
    Records by Domain, Subdomain and Type; DNS Delete Record by Domain and ID)
  https://kb.porkbun.com/article/190-getting-started-with-the-porkbun-api (API keys; a domain
    answers to the API only once API ACCESS is switched on for it)
  https://go-acme.github.io/lego/dns/porkbun/ (variables; TTL at least 600)

Every call is a POST whose JSON body carries `apikey` and `secretapikey`; answers are
{"status": "SUCCESS", …} or {"status": "ERROR", "message": …}.

Checked: POST only, a JSON body with `apikey` and `secretapikey` (credentials `apikey`,
`secret`) — a wrong pair is 403 "Invalid API key. (002)"; the domain is one the account holds
with API access on (400 otherwise); create's fields (`name` relative to the domain, empty for
the apex; `type` TXT; non-empty `content`; `ttl` a number as a string or a number, 600 or more;
no undocumented field), the same content at one name twice is refused; retrieveByNameType
answers every record of that name and type with `name` as the full host name and `id`/`ttl`/
`prio` as strings, as documented; delete of an unknown id is an error.
Not checked: the per-key rate limits (tests inject 429), record types other than TXT, `prio`
and `notes` semantics, editByNameType and the other record calls DNS-01 does not need.
"""
from provider_api import ApiError

DOMAIN = r"^/api/json/v3/dns/%s/(?P<domain>[^/]+)"
CREATE_FIELDS = {"apikey", "secretapikey", "name", "type", "content", "ttl", "prio", "notes"}


class Rules:
    def __init__(self, lab):
        self.lab = lab
        self.records = {}

    def routes(self):
        return [
            ("POST", DOMAIN % "create" + "$", self.create),
            ("POST", DOMAIN % "retrieveByNameType" + r"/(?P<type>[A-Za-z]+)(?:/(?P<subdomain>[^/]+))?$", self.retrieve),
            ("POST", DOMAIN % "delete" + r"/(?P<id>[^/]+)$", self.delete),
        ]

    @staticmethod
    def error(status, message):
        return ApiError(status, {"status": "ERROR", "message": message})

    def authenticate(self, request):
        body = request.json(lambda message: self.error(400, message))
        if not isinstance(body, dict) or "apikey" not in body or "secretapikey" not in body:
            raise self.error(400, "All API requests must include apikey and secretapikey in a JSON body.")
        if body["apikey"] != self.lab.credentials.get("apikey") or body["secretapikey"] != self.lab.credentials.get("secret"):
            raise self.error(403, "Invalid API key. (002)")
        request.body = body

    def domain(self, request):
        domain = request.match.group("domain").lower()
        if domain not in self.lab.zones:
            raise self.error(400, "Invalid domain.")
        return domain

    def create(self, request):
        domain, body = self.domain(request), request.body
        unknown = set(body) - CREATE_FIELDS
        if unknown:
            raise self.error(400, "Unknown fields: %s" % ", ".join(sorted(unknown)))
        if body.get("type") != "TXT":
            raise self.error(400, "This stand-in serves TXT records only.")
        name = str(body.get("name", "")).lower()
        if name.endswith("." + domain) or name == domain or name.endswith("."):
            raise self.error(400, "The name must be the subdomain part only, not %s." % name)
        content = body.get("content")
        if not isinstance(content, str) or not content:
            raise self.error(400, "Content is required.")
        ttl = body.get("ttl", "600")
        try:
            ttl = int(ttl)
        except (TypeError, ValueError):
            raise self.error(400, "Invalid TTL.")
        if ttl < 600:
            raise self.error(400, "The minimum TTL is 600 seconds.")
        fqdn = "%s.%s" % (name, domain) if name else domain
        with self.lab.lock:
            if any(r["domain"] == domain and r["name"] == fqdn and r["content"] == content for r in self.records.values()):
                raise self.error(400, "Could not add record: an identical record already exists.")
            record_id = str(self.lab.new_id() * 1000 + 7)
            try:
                self.lab.publish(True, fqdn, content, 60)
            except RuntimeError as failure:
                raise self.error(500, str(failure))
            self.records[record_id] = {"id": record_id, "domain": domain, "name": fqdn, "type": "TXT", "content": content,
                                       "ttl": str(ttl), "prio": "0", "notes": body.get("notes") or ""}
        return 200, {"status": "SUCCESS", "id": int(record_id)}

    def retrieve(self, request):
        domain = self.domain(request)
        if set(request.body) - {"apikey", "secretapikey"}:
            raise self.error(400, "retrieveByNameType takes no fields besides the keys.")
        subdomain = (request.match.group("subdomain") or "").lower()
        fqdn = "%s.%s" % (subdomain, domain) if subdomain else domain
        kind = request.match.group("type").upper()
        with self.lab.lock:
            found = [{k: v for k, v in r.items() if k != "domain"} for r in self.records.values()
                     if r["domain"] == domain and r["name"] == fqdn and r["type"] == kind]
        return 200, {"status": "SUCCESS", "records": sorted(found, key=lambda r: int(r["id"]))}

    def delete(self, request):
        domain = self.domain(request)
        with self.lab.lock:
            record = self.records.get(request.match.group("id"))
            if record is None or record["domain"] != domain:
                raise self.error(400, "Invalid record ID.")
            self.lab.publish(False, record["name"], record["content"])
            del self.records[record["id"]]
        return 200, {"status": "SUCCESS"}

    def snapshot(self):
        with self.lab.lock:
            return list(self.records.values())
