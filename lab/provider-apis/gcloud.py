"""Google Cloud DNS API v1, the part DNS-01 uses, with Google's OAuth 2.0 token endpoint and the
Compute Engine / GKE metadata server's token.

Follows:
  https://cloud.google.com/dns/docs/reference/rest/v1/managedZones/list
  https://cloud.google.com/dns/docs/reference/rest/v1/resourceRecordSets/list
  https://cloud.google.com/dns/docs/reference/rest/v1/changes/create
  https://cloud.google.com/dns/docs/reference/rest/v1/changes/get
  https://cloud.google.com/dns/docs/reference/rest/v1/changes (the Change resource)
  https://cloud.google.com/apis/design/errors (the error body: {"error": {code, message, errors, status}})
  https://developers.google.com/identity/protocols/oauth2/service-account#httprest
      (the JWT bearer grant: an RS256 JWT with iss, scope, aud, iat, exp; at most one hour)
  https://cloud.google.com/compute/docs/metadata/querying-metadata (Metadata-Flavor: Google)
  https://cloud.google.com/compute/docs/access/authenticate-workloads (the default service
      account's token at /computeMetadata/v1/instance/service-accounts/default/token)

Credentials the stand-in accepts: `project`; the service account `client_email`, `key_id` and
`public_key` (PEM) whose private half the test holds; the metadata server gives a token to
anyone asking with `Metadata-Flavor: Google`.

Checked: the token request (form-encoded, grant_type jwt-bearer, the JWT's RS256 signature
against the service account's public key, header alg/typ/kid, iss, aud = this token URL, a scope
that allows Cloud DNS writes, iat/exp within an hour and not expired); the metadata header; the
Bearer access token on every Cloud DNS call (only tokens this server issued); the project;
managedZones.list with `dnsName`, `maxResults` and `pageToken` (the server picks a page size of
one when none is asked for, so clients must follow nextPageToken); rrsets.list `name`/`type`
(type only with name) with paging; changes.create's body (additions/deletions of TXT sets with
an absolute name inside the zone, ttl, non-empty rrdatas), deletions that must equal the current
set exactly (412 conditionNotMet), additions of a set that exists and is not deleted in the same
change (409 alreadyExists), applied atomically; changes.get. A private zone with the same DNS
name is served too (listed first): what is written there is not published.
Not checked: IAM permissions beyond "this token was issued here", quota headers, record types
other than TXT, DNSSEC, routing policies, the `kind` fields of requests, TXT strings longer than
255 characters.
"""
import base64
import hashlib
import json
import secrets
import threading
import time
from urllib.parse import parse_qs

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding

from provider_api import ApiError

PROJECT = r"^/dns/v1/projects/(?P<project>[^/]+)"
ZONE = PROJECT + r"/managedZones/(?P<zone>[^/]+)"
SCOPES = {"https://www.googleapis.com/auth/ndev.clouddns.readwrite", "https://www.googleapis.com/auth/cloud-platform"}
STATUS = {400: "INVALID_ARGUMENT", 401: "UNAUTHENTICATED", 403: "PERMISSION_DENIED", 404: "NOT_FOUND", 409: "ALREADY_EXISTS", 412: "FAILED_PRECONDITION"}


class Rules:
    plain_http = True

    def __init__(self, lab):
        self.lab = lab
        self.issued = set()
        self.zones = []
        for zone in lab.zones:
            digest = hashlib.sha256(zone.encode()).hexdigest()
            self.zones.append({"kind": "dns#managedZone", "name": "internal-" + digest[:8], "dnsName": zone + ".",
                               "id": str(int(digest[8:20], 16)), "visibility": "private", "description": "a private zone of the same name"})
            self.zones.append({"kind": "dns#managedZone", "name": "lab-" + digest[:8], "dnsName": zone + ".",
                               "id": str(int(digest[20:32], 16)), "visibility": "public", "description": "the lab zone"})
        self.rrsets = {z["name"]: {} for z in self.zones}  # zone name -> {(name, type): rrset}
        self.changes = {}
        self.lock = threading.RLock()

    def routes(self):
        return [
            ("POST", r"^/token$", self.token),
            ("GET", r"^/computeMetadata/v1/instance/service-accounts/default/token$", self.metadata_token),
            ("GET", r"^/computeMetadata/v1/project/project-id$", self.metadata_project),
            ("GET", PROJECT + r"/managedZones$", self.list_zones),
            ("GET", ZONE + r"/rrsets$", self.list_rrsets),
            ("POST", ZONE + r"/changes$", self.create_change),
            ("GET", ZONE + r"/changes/(?P<id>[^/]+)$", self.get_change),
        ]

    @staticmethod
    def error(status, message, reason="invalid"):
        return ApiError(status, {"error": {"code": status, "message": message,
                                           "errors": [{"message": message, "domain": "global", "reason": reason}],
                                           "status": STATUS.get(status, "UNKNOWN")}})

    @staticmethod
    def oauth_error(error, description):
        return ApiError(400, {"error": error, "error_description": description})

    def authenticate(self, request):
        if request.path == "/token" or request.path.startswith("/computeMetadata/"):
            return  # the token endpoints check their own requests
        authorization = request.headers.get("Authorization", "")
        if not authorization.startswith("Bearer ") or authorization[7:] not in self.issued:
            refused = self.error(401, "Request had invalid authentication credentials. Expected OAuth 2 access token, "
                                      "login cookie or other valid authentication credential.", "authError")
            refused.headers = {"WWW-Authenticate": 'Bearer realm="https://accounts.google.com/"'}
            raise refused

    def issue(self):
        token = "ya29.lab-" + secrets.token_urlsafe(32)
        with self.lock:
            self.issued.add(token)
        return {"access_token": token, "expires_in": 3599, "token_type": "Bearer"}

    # OAuth 2.0: the JWT bearer grant of a service account key.

    def token(self, request):
        if request.headers.get("Content-Type", "").split(";")[0].strip() != "application/x-www-form-urlencoded":
            raise self.oauth_error("invalid_request", "Content-Type must be application/x-www-form-urlencoded")
        form = {k: v[0] for k, v in parse_qs(request.raw.decode(), keep_blank_values=True).items()}
        if form.get("grant_type") != "urn:ietf:params:oauth:grant-type:jwt-bearer":
            raise self.oauth_error("unsupported_grant_type", "Invalid grant_type: %s" % form.get("grant_type", ""))
        parts = form.get("assertion", "").split(".")
        if len(parts) != 3:
            raise self.oauth_error("invalid_request", "Invalid JWT: assertion is not a JWT")
        try:
            header, claims = (json.loads(self.unbase64(p)) for p in parts[:2])
            signature = self.unbase64(parts[2])
        except ValueError:
            raise self.oauth_error("invalid_request", "Invalid JWT: the header or claims are not base64url JSON")
        if header.get("alg") != "RS256" or header.get("typ", "JWT") != "JWT":
            raise self.oauth_error("invalid_request", "Invalid JWT: alg must be RS256")
        if header.get("kid") not in (None, self.lab.credentials.get("key_id")):
            raise self.oauth_error("invalid_grant", "Invalid JWT Signature.")
        public_key = serialization.load_pem_public_key(self.lab.credentials["public_key"].encode())
        try:
            public_key.verify(signature, (parts[0] + "." + parts[1]).encode(), padding.PKCS1v15(), hashes.SHA256())
        except InvalidSignature:
            raise self.oauth_error("invalid_grant", "Invalid JWT Signature.")
        if claims.get("iss") != self.lab.credentials.get("client_email"):
            raise self.oauth_error("invalid_grant", "Invalid JWT: the issuer is not a known service account")
        if claims.get("aud") != "https://%s/token" % request.headers.get("Host", ""):
            raise self.oauth_error("invalid_grant", "Invalid JWT: aud must be this token endpoint, not %r" % claims.get("aud"))
        if not SCOPES & set(str(claims.get("scope", "")).split()):
            raise self.oauth_error("invalid_scope", "the scope does not allow Cloud DNS changes")
        now, iat, exp = time.time(), claims.get("iat"), claims.get("exp")
        if not isinstance(iat, int) or not isinstance(exp, int) or iat > now + 300 or exp <= now or exp - iat > 3600:
            raise self.oauth_error("invalid_grant", "Invalid JWT: Token must be a short-lived token (60 minutes) and in a reasonable timeframe.")
        return 200, self.issue()

    @staticmethod
    def unbase64(text):
        try:
            return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
        except Exception:
            raise ValueError(text)

    # The metadata server.

    def metadata_check(self, request):
        if request.headers.get("Metadata-Flavor") != "Google":
            raise ApiError(403, b"Missing Metadata-Flavor:Google header.\n")

    def metadata_token(self, request):
        self.metadata_check(request)
        return 200, self.issue()

    def metadata_project(self, request):
        self.metadata_check(request)
        return 200, self.lab.credentials["project"].encode(), {"Content-Type": "application/text"}

    # Cloud DNS.

    def project(self, request):
        project = request.match.group("project")
        if project != self.lab.credentials.get("project"):
            raise self.error(403, "The caller does not have permission to access project %s" % project, "forbidden")

    def zone(self, request):
        self.project(request)
        wanted = request.match.group("zone")
        for zone in self.zones:
            if wanted in (zone["name"], zone["id"]):
                return zone
        raise self.error(404, "The 'parameters.managedZone' resource named '%s' does not exist." % wanted, "notFound")

    def page(self, request, items, key):
        try:
            size = int(request.arg("maxResults", "1"))
            start = int(request.arg("pageToken") or "0")
        except ValueError:
            raise self.error(400, "Invalid value for maxResults or pageToken", "invalid")
        if size < 1 or start < 0 or start > len(items):
            raise self.error(400, "Invalid value for maxResults or pageToken", "invalid")
        body = {key: items[start:start + size]}
        if start + size < len(items):
            body["nextPageToken"] = str(start + size)
        return 200, body

    def list_zones(self, request):
        self.project(request)
        name = request.arg("dnsName")
        if name is not None and not name.endswith("."):
            raise self.error(400, "Invalid value for 'parameters.dnsName': '%s'" % name, "invalid")
        zones = [z for z in self.zones if name is None or z["dnsName"] == name.lower()]
        status, body = self.page(request, zones, "managedZones")
        body["kind"] = "dns#managedZonesListResponse"
        return status, body

    def list_rrsets(self, request):
        zone = self.zone(request)
        name, kind = request.arg("name"), request.arg("type")
        if kind is not None and name is None:
            raise self.error(400, "Invalid value for 'parameters.type': type is only valid with name", "invalid")
        with self.lock:
            sets = [dict(s) for (n, t), s in sorted(self.rrsets[zone["name"]].items())
                    if (name is None or n == name.lower()) and (kind is None or t == kind)]
        status, body = self.page(request, sets, "rrsets")
        body["kind"] = "dns#resourceRecordSetsListResponse"
        return status, body

    def checked(self, zone, rrset, where):
        if not isinstance(rrset, dict):
            raise self.error(400, "Invalid value for '%s'" % where)
        name, kind, ttl, rrdatas = rrset.get("name"), rrset.get("type"), rrset.get("ttl"), rrset.get("rrdatas")
        if not isinstance(name, str) or not name.endswith(".") or not (name.lower() == zone["dnsName"] or name.lower().endswith("." + zone["dnsName"])):
            raise self.error(400, "Invalid value for '%s.name': '%s'" % (where, name))
        if kind != "TXT":
            raise self.error(400, "this stand-in serves TXT record sets only ('%s.type': '%s')" % (where, kind))
        if not isinstance(ttl, int) or ttl < 0:
            raise self.error(400, "Invalid value for '%s.ttl': '%s'" % (where, ttl))
        if not isinstance(rrdatas, list) or not rrdatas or not all(isinstance(d, str) and d for d in rrdatas):
            raise self.error(400, "Invalid value for '%s.rrdatas'" % where)
        quoted = [d if len(d) >= 2 and d.startswith('"') and d.endswith('"') else '"%s"' % d for d in rrdatas]
        if len(set(quoted)) != len(quoted):
            raise self.error(400, "The resource record set '%s' has duplicate rrdatas" % name, "invalid")
        return {"kind": "dns#resourceRecordSet", "name": name.lower(), "type": kind, "ttl": ttl, "rrdatas": quoted}

    def create_change(self, request):
        zone = self.zone(request)
        body = request.json(lambda message: self.error(400, message, "parseError"))
        if not isinstance(body, dict) or set(body) - {"kind", "additions", "deletions", "isServing"}:
            raise self.error(400, "Invalid JSON payload received: unknown fields", "invalid")
        additions = [self.checked(zone, r, "entity.change.additions[%d]" % i) for i, r in enumerate(body.get("additions") or [])]
        deletions = [self.checked(zone, r, "entity.change.deletions[%d]" % i) for i, r in enumerate(body.get("deletions") or [])]
        if not additions and not deletions:
            raise self.error(400, "The 'entity.change' resource has no additions or deletions", "required")
        with self.lock:
            current = self.rrsets[zone["name"]]
            after = dict(current)
            for i, rrset in enumerate(deletions):
                key = (rrset["name"], rrset["type"])
                have = current.get(key)
                if have is None or have["ttl"] != rrset["ttl"] or sorted(have["rrdatas"]) != sorted(rrset["rrdatas"]):
                    if have is None:
                        raise self.error(404, "The 'entity.change.deletions[%d]' resource named '%s (TXT)' does not exist." % (i, rrset["name"]), "notFound")
                    raise self.error(412, "Precondition not met for 'entity.change.deletions[%d]'" % i, "conditionNotMet")
                del after[key]
            for i, rrset in enumerate(additions):
                key = (rrset["name"], rrset["type"])
                if key in after:
                    raise self.error(409, "The resource 'entity.change.additions[%d]' named '%s (TXT)' already exists" % (i, rrset["name"]), "alreadyExists")
                after[key] = rrset
            if zone["visibility"] == "public":
                self.publish(current, after)
            self.rrsets[zone["name"]] = after
            change = {"kind": "dns#change", "id": str(len(self.changes) + 1), "startTime": time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime()),
                      "status": "pending", "additions": additions, "deletions": deletions}
            self.changes[(zone["name"], change["id"])] = change
        return 200, change

    def publish(self, before, after):
        """Brings BIND from `before` to `after`, value by value."""
        def values(sets):
            return {(name, d.strip('"')): s["ttl"] for (name, _), s in sets.items() for d in s["rrdatas"]}
        old, new = values(before), values(after)
        try:
            for (name, value) in old.keys() - new.keys():
                self.lab.publish(False, name, value)
            for (name, value), ttl in new.items():
                if (name, value) not in old:
                    self.lab.publish(True, name, value, max(ttl, 1))
        except RuntimeError as failure:
            raise self.error(500, str(failure), "backendError")

    def get_change(self, request):
        zone = self.zone(request)
        with self.lock:
            change = self.changes.get((zone["name"], request.match.group("id")))
            if change is None:
                raise self.error(404, "The 'parameters.changeId' resource named '%s' does not exist." % request.match.group("id"), "notFound")
            change["status"] = "done"  # pending when created, done when next asked
            return 200, dict(change)

    def snapshot(self):
        with self.lock:
            return {zone: list(sets.values()) for zone, sets in self.rrsets.items()}
