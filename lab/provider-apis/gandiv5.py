"""Gandi LiveDNS (API v5), the record-set part DNS-01 uses.

Follows:
  https://api.gandi.net/docs/livedns/ (GET/PUT/DELETE /domains/{fqdn}/records/{rrset_name}/{rrset_type},
                                       GET /domains/{fqdn})
  https://api.gandi.net/docs/authentication/ (Personal Access Token as `Authorization: Bearer`;
                                              the deprecated API key, which LiveDNS's own host
                                              dns.api.gandi.net takes as `X-Api-Key`)
  https://go-acme.github.io/lego/dns/gandiv5/ (variables)

LiveDNS keeps one record set per name and type: a PUT replaces `rrset_values` whole, so an
adapter reads, merges and writes the set.

Checked: the PAT (credential `token`) as `Authorization: Bearer …` or the API key (credential
`apikey`) as `X-Api-Key`, 401 in LiveDNS's error shape {code, message, object, cause}
otherwise; the domain is one LiveDNS serves for this account (404); the record name is
relative (`@` for the apex); the PUT body is a JSON object with `rrset_values` (a non-empty
array of distinct non-empty strings) and an optional `rrset_ttl` in 300–2592000, no other
field; a GET of a name with no TXT set is 404; TXT values are answered in zone-file quotes,
as LiveDNS answers them, whether they were written quoted or not.
Not checked: PAT scopes and organization permissions, record types other than TXT, the
`rrset_href` links, sharing ids, the rate limit (tests inject 429).
"""
from provider_api import ApiError

DOMAIN = r"^/api/v5/domains/(?P<domain>[^/]+)"
RECORD = DOMAIN + r"/records/(?P<name>[^/]+)/(?P<type>[A-Z]+)$"
STATUS = {400: ("HTTPBadRequest", "Bad Request"), 401: ("HTTPUnauthorized", "Unauthorized"), 403: ("HTTPForbidden", "Forbidden"),
          404: ("HTTPNotFound", "Not Found"), 405: ("HTTPMethodNotAllowed", "Method Not Allowed"), 500: ("HTTPInternalServerError", "Internal Server Error")}


def quoted(value):
    return value if len(value) >= 2 and value.startswith('"') and value.endswith('"') else '"%s"' % value


class Rules:
    def __init__(self, lab):
        self.lab = lab
        # (domain, relative name) → {"ttl": int, "values": [quoted values]}
        self.sets = {}

    def routes(self):
        return [
            ("GET", DOMAIN + "$", self.get_domain),
            ("GET", RECORD, self.get_record),
            ("PUT", RECORD, self.replace_record),
            ("DELETE", RECORD, self.delete_record),
        ]

    @staticmethod
    def error(status, message, errors=None):
        obj, cause = STATUS.get(status, ("HTTPError", "Error"))
        body = {"code": status, "message": message, "object": obj, "cause": cause}
        if errors:
            body["errors"] = errors
        return ApiError(status, body)

    def authenticate(self, request):
        authorization, key = request.headers.get("Authorization"), request.headers.get("X-Api-Key")
        if authorization is not None:
            if authorization != "Bearer %s" % self.lab.credentials.get("token"):
                raise self.error(401, "The server could not verify that you are authorized to access the document you requested.")
            return
        if key is not None:
            if key != self.lab.credentials.get("apikey"):
                raise self.error(401, "The server could not verify that you are authorized to access the document you requested.")
            return
        raise self.error(401, "No authentication: send a Personal Access Token as Authorization: Bearer, or an API key")

    def domain(self, request):
        domain = request.match.group("domain").lower()
        if domain not in self.lab.zones:
            raise self.error(404, "The domain %s does not exist" % domain)
        return domain

    def target(self, request):
        domain = self.domain(request)
        if request.match.group("type") != "TXT":
            raise self.error(400, "this stand-in serves TXT records only")
        name = request.match.group("name").lower()
        if name == domain or name.endswith("." + domain) or name.endswith("."):
            raise self.error(400, "rrset_name must be relative to the domain, not %s" % name)
        return domain, name

    def get_domain(self, request):
        domain = self.domain(request)
        return 200, {"fqdn": domain, "automatic_snapshots": False, "domain_href": "/api/v5/domains/" + domain,
                     "domain_records_href": "/api/v5/domains/%s/records" % domain}

    def get_record(self, request):
        domain, name = self.target(request)
        with self.lab.lock:
            found = self.sets.get((domain, name))
            if found is None:
                raise self.error(404, "Can't find the DNS record %s/TXT in the zone" % name)
            return 200, {"rrset_name": name, "rrset_type": "TXT", "rrset_ttl": found["ttl"], "rrset_values": list(found["values"]),
                         "rrset_href": "/api/v5/domains/%s/records/%s/TXT" % (domain, name)}

    def replace_record(self, request):
        domain, name = self.target(request)
        body = request.json(lambda message: self.error(400, message))
        if not isinstance(body, dict):
            raise self.error(400, "the body must be a JSON object")
        unknown = set(body) - {"rrset_values", "rrset_ttl"}
        if unknown:
            raise self.error(400, "Validation error", [{"location": "body", "name": n, "description": "unknown field"} for n in sorted(unknown)])
        values, ttl = body.get("rrset_values"), body.get("rrset_ttl", 10800)
        if not isinstance(values, list) or not values or not all(isinstance(v, str) and v.strip('"') for v in values):
            raise self.error(400, "Validation error", [{"location": "body", "name": "rrset_values", "description": "a non-empty list of values"}])
        if not isinstance(ttl, int) or isinstance(ttl, bool) or not 300 <= ttl <= 2592000:
            raise self.error(400, "Validation error", [{"location": "body", "name": "rrset_ttl", "description": "must be between 300 and 2592000"}])
        wanted = [quoted(v) for v in values]
        if len(set(wanted)) != len(wanted):
            raise self.error(400, "Validation error", [{"location": "body", "name": "rrset_values", "description": "duplicate values"}])
        fqdn = domain if name == "@" else "%s.%s" % (name, domain)
        with self.lab.lock:
            before = set(self.sets.get((domain, name), {"values": []})["values"])
            try:
                for value in sorted(before - set(wanted)):
                    self.lab.publish(False, fqdn, value.strip('"'))
                for value in sorted(set(wanted) - before):
                    self.lab.publish(True, fqdn, value.strip('"'), 60)
            except RuntimeError as failure:
                raise self.error(500, str(failure))
            self.sets[(domain, name)] = {"ttl": ttl, "values": wanted}
        return 201, {"message": "DNS Record Created"}

    def delete_record(self, request):
        domain, name = self.target(request)
        fqdn = domain if name == "@" else "%s.%s" % (name, domain)
        with self.lab.lock:
            found = self.sets.pop((domain, name), None)
            if found is None:
                raise self.error(404, "Can't find the DNS record %s/TXT in the zone" % name)
            for value in found["values"]:
                self.lab.publish(False, fqdn, value.strip('"'))
        return 204, None

    def snapshot(self):
        with self.lab.lock:
            return [{"domain": d, "name": n, **s} for (d, n), s in sorted(self.sets.items())]
