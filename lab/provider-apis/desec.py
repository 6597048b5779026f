"""deSEC DNS API v1, the part DNS-01 uses: domains and RRsets.

Follows:
  https://desec.readthedocs.io/en/latest/auth/tokens.html (`Authorization: Token <token>`;
    401 {"detail": "Invalid token."})
  https://desec.readthedocs.io/en/latest/dns/domains.html (GET /domains/{name}/; `minimum_ttl`)
  https://desec.readthedocs.io/en/latest/dns/rrsets.html (an RRset is {subname, type, ttl,
    records} and is replaced whole: POST /domains/{name}/rrsets/ creates (201; 400 when it
    exists), GET/PUT/PATCH/DELETE /domains/{name}/rrsets/{subname}/{type}/ read, replace, modify,
    delete; `@` as the subname of the apex in URLs; PATCH with "records": [] deletes (204);
    TXT contents in presentation format, answered quoted)
  https://desec.readthedocs.io/en/latest/rate-limits.html (429 with Retry-After)

Checked: the Token header (credential `token`); every path ends in "/"; the domain exists (404
{"detail": "Not found."}); the create body (subname relative, type TXT, ttl ≥ the domain's
minimum_ttl 3600, records a non-empty list of strings, no unknown fields), 400 with deSEC's
field errors otherwise and when the RRset already exists; PUT needs ttl and records, PATCH takes
either; modifying or deleting an RRset that does not exist 404; TXT contents stored in their
canonical quoted form (an unquoted single word is quoted). Each change is published to BIND as
the difference between the old and the new RRset.
Test knob: credential `lose_writes=N` answers the first N writes (POST, PUT, PATCH) as done but
keeps the RRset as it was, as when another process writes its own stale merge right after ours.
Not checked: token policies and scopes, bulk operations on /rrsets/ with a list, the RRset's
`touched` time used by caches, contents longer than 255 bytes split into strings, types other than TXT.
"""
import time

from provider_api import ApiError

DOMAIN = r"^/api/v1/domains/(?P<domain>[^/]+)/"
RRSET = DOMAIN + r"rrsets/(?P<subname>[^/]*)/(?P<type>[A-Z0-9]+)/$"
MINIMUM_TTL = 3600


class Rules:
    def __init__(self, lab):
        self.lab = lab
        self.rrsets = {}  # (domain, subname) -> rrset
        self.lose_writes = int(lab.credentials.get("lose_writes", "0"))

    def lost(self):
        """Whether this write is to be undone at once by the simulated other writer."""
        with self.lab.lock:
            if self.lose_writes > 0:
                self.lose_writes -= 1
                return True
            return False

    def routes(self):
        return [
            ("GET", DOMAIN + "$", self.get_domain),
            ("POST", DOMAIN + r"rrsets/$", self.create_rrset),
            ("GET", RRSET, self.get_rrset),
            ("PUT", RRSET, self.replace_rrset),
            ("PATCH", RRSET, self.replace_rrset),
            ("DELETE", RRSET, self.delete_rrset),
        ]

    @staticmethod
    def error(status, message):
        return ApiError(status, {"detail": message})

    @staticmethod
    def field_errors(errors):
        return ApiError(400, errors)

    def authenticate(self, request):
        if request.headers.get("Authorization", "") != "Token " + self.lab.credentials.get("token", ""):
            raise self.error(401, "Invalid token.")

    def domain(self, request):
        domain = request.match.group("domain").lower()
        if domain not in self.lab.zones:
            raise self.error(404, "Not found.")
        return domain

    def get_domain(self, request):
        domain = self.domain(request)
        return 200, {"name": domain, "minimum_ttl": MINIMUM_TTL, "created": "2026-01-01T00:00:00Z", "published": "2026-01-01T00:00:00Z",
                     "touched": "2026-01-01T00:00:00Z", "keys": []}

    @staticmethod
    def canonical(content):
        return content if content.startswith('"') and content.endswith('"') and len(content) >= 2 else '"%s"' % content

    def checked(self, body, partial, needs=("subname", "type", "ttl", "records")):
        if not isinstance(body, dict):
            raise self.field_errors({"non_field_errors": ["Invalid data. Expected a dictionary, but got %s." % type(body).__name__]})
        unknown = set(body) - {"subname", "type", "ttl", "records"}
        if unknown:
            raise self.field_errors({k: ["Unknown field."] for k in sorted(unknown)})
        errors = {}
        if not partial:
            errors.update({k: ["This field is required."] for k in needs if k not in body})
        if "ttl" in body and (not isinstance(body["ttl"], int) or body["ttl"] < MINIMUM_TTL):
            errors["ttl"] = ["Ensure this value is greater than or equal to %d." % MINIMUM_TTL]
        if "records" in body and (not isinstance(body["records"], list) or not all(isinstance(r, str) and r for r in body["records"])):
            errors["records"] = ["Expected a list of non-empty strings."]
        if "type" in body and body["type"] != "TXT":
            errors["type"] = ["This stand-in serves TXT records only."]
        if errors:
            raise self.field_errors(errors)
        return body

    def shown(self, domain, rrset):
        name = "%s.%s." % (rrset["subname"], domain) if rrset["subname"] else domain + "."
        return {"created": rrset["created"], "domain": domain, "subname": rrset["subname"], "name": name, "records": list(rrset["records"]),
                "ttl": rrset["ttl"], "type": "TXT", "touched": rrset["touched"]}

    def publish(self, domain, subname, old, new, ttl):
        fqdn = "%s.%s" % (subname, domain) if subname else domain
        for content in old - new:
            self.lab.publish(False, fqdn, content[1:-1])
        for content in new - old:
            self.lab.publish(True, fqdn, content[1:-1], ttl)

    @staticmethod
    def subname(request):
        subname = request.match.group("subname")
        return "" if subname == "@" else subname.lower()

    def create_rrset(self, request):
        domain = self.domain(request)
        body = self.checked(request.json(lambda message: self.field_errors({"non_field_errors": [message]})), partial=False)
        subname = str(body["subname"]).lower()
        if subname.endswith(".") or subname.endswith("." + domain) or subname == domain:
            raise self.field_errors({"subname": ["The subname must be relative to the domain."]})
        if not body["records"]:
            raise self.field_errors({"records": ["This field must not be empty when creating an RRset."]})
        with self.lab.lock:
            if (domain, subname) in self.rrsets:
                raise self.field_errors({"non_field_errors": ["Another RRset with the same subdomain and type exists for this domain. (Try modifying it.)"]})
            now = time.strftime("%Y-%m-%dT%H:%M:%S.000000Z", time.gmtime())
            records = sorted({self.canonical(r) for r in body["records"]})
            if self.lost():
                return 201, self.shown(domain, {"subname": subname, "ttl": body["ttl"], "records": records, "created": now, "touched": now})
            try:
                self.publish(domain, subname, set(), set(records), body["ttl"])
            except RuntimeError as failure:
                raise self.error(500, str(failure))
            self.rrsets[(domain, subname)] = {"subname": subname, "ttl": body["ttl"], "records": records, "created": now, "touched": now}
            return 201, self.shown(domain, self.rrsets[(domain, subname)])

    def get_rrset(self, request):
        domain, subname = self.domain(request), self.subname(request)
        with self.lab.lock:
            rrset = self.rrsets.get((domain, subname)) if request.match.group("type") == "TXT" else None
            if rrset is None:
                raise self.error(404, "Not found.")
            return 200, self.shown(domain, rrset)

    def replace_rrset(self, request):
        domain, subname = self.domain(request), self.subname(request)
        body = self.checked(request.json(lambda message: self.field_errors({"non_field_errors": [message]})),
                            partial=request.method == "PATCH", needs=("ttl", "records"))
        with self.lab.lock:
            rrset = self.rrsets.get((domain, subname)) if request.match.group("type") == "TXT" else None
            if rrset is None:
                raise self.error(404, "Not found.")
            records = sorted({self.canonical(r) for r in body.get("records", rrset["records"])})
            ttl = body.get("ttl", rrset["ttl"])
            if self.lost():
                return (204, None) if not records else (200, self.shown(domain, dict(rrset, records=records, ttl=ttl)))
            try:
                self.publish(domain, subname, set(rrset["records"]), set(records), ttl)
            except RuntimeError as failure:
                raise self.error(500, str(failure))
            if not records:
                del self.rrsets[(domain, subname)]
                return 204, None
            rrset.update(records=records, ttl=ttl, touched=time.strftime("%Y-%m-%dT%H:%M:%S.000000Z", time.gmtime()))
            return 200, self.shown(domain, rrset)

    def delete_rrset(self, request):
        domain, subname = self.domain(request), self.subname(request)
        with self.lab.lock:
            rrset = self.rrsets.pop((domain, subname), None)
            if rrset is not None:
                self.publish(domain, subname, set(rrset["records"]), set(), rrset["ttl"])
        return 204, None

    def snapshot(self):
        with self.lab.lock:
            return [dict(rrset, domain=domain) for (domain, _), rrset in self.rrsets.items()]
