"""Azure DNS through Azure Resource Manager, the part DNS-01 uses, with the Microsoft identity
platform's token endpoint and the Azure Instance Metadata Service's managed identity token.

Follows:
  https://learn.microsoft.com/en-us/rest/api/dns/record-sets/get
  https://learn.microsoft.com/en-us/rest/api/dns/record-sets/create-or-update (If-Match, If-None-Match)
  https://learn.microsoft.com/en-us/rest/api/dns/record-sets/delete
  https://learn.microsoft.com/en-us/rest/api/dns/zones/list (nextLink paging)
  https://learn.microsoft.com/en-us/rest/api/resources/subscriptions/list
  https://learn.microsoft.com/en-us/azure/azure-resource-manager/management/async-operations (error body)
  https://learn.microsoft.com/en-us/entra/identity-platform/v2-oauth2-client-creds-grant-flow
      (client_credentials with client_secret, or client_assertion — the workload identity's
      federated token)
  https://learn.microsoft.com/en-us/entra/identity/managed-identities-azure-resources/how-to-use-vm-token
      (IMDS: GET /metadata/identity/oauth2/token with Metadata: true)

Credentials the stand-in accepts: `tenant`, `client_id`, `client_secret`, `federated_token`
(the workload identity's token file contents), `subscription`, `resource_group`; IMDS gives a
token to anyone asking with `Metadata: true`.

Checked: the token request (form-encoded, grant_type client_credentials, the tenant in the path,
client_id, scope https://management.azure.com/.default, and either the client secret or a
client_assertion of type jwt-bearer equal to the federated token); IMDS's Metadata header,
api-version and resource; the Bearer token on every ARM call (only tokens issued here); the
api-version query parameter; subscriptions and zones listed a page at a time with nextLink; the
record set's path (subscription, resource group, zone, TXT, relative name); the PUT body
(properties.TTL, properties.TXTRecords of {value: [strings]}); If-Match (the current etag) and
If-None-Match: * (412 PreconditionFailed otherwise); every PUT and DELETE changes the etag;
deleting a missing set answers 204.
Not checked: RBAC, the zone's own etag, metadata and tags fields, record types other than TXT,
private DNS zones, TXT strings longer than 255 characters, throttling headers.
"""
import re
import secrets
import threading
import uuid
from urllib.parse import parse_qs

from provider_api import ApiError

SUBSCRIPTION = r"^/subscriptions/(?P<subscription>[^/]+)"
ZONE = SUBSCRIPTION + r"/resourceGroups/(?P<group>[^/]+)/providers/Microsoft\.Network/dns[zZ]ones/(?P<zone>[^/]+)"
RESOURCE = "https://management.azure.com"


class Rules:
    plain_http = True

    def __init__(self, lab):
        self.lab = lab
        self.issued = set()
        self.sets = {}  # (zone, relative) -> {"etag", "ttl", "values"}
        self.lock = threading.RLock()
        c = lab.credentials
        self.subscriptions = [str(uuid.uuid4()), c["subscription"]]  # the first holds no zones
        self.zones = [("decoy-" + c["resource_group"], "decoy.example.test")] + [(c["resource_group"], z) for z in lab.zones]

    def routes(self):
        return [
            ("POST", r"^/(?P<tenant>[^/]+)/oauth2/v2\.0/token$", self.token),
            ("GET", r"^/metadata/identity/oauth2/token$", self.imds_token),
            ("GET", r"^/subscriptions$", self.list_subscriptions),
            ("GET", SUBSCRIPTION + r"/providers/Microsoft\.Network/dns[zZ]ones$", self.list_zones),
            ("GET", ZONE + r"/TXT/(?P<name>[^/]+)$", self.get_set),
            ("PUT", ZONE + r"/TXT/(?P<name>[^/]+)$", self.put_set),
            ("DELETE", ZONE + r"/TXT/(?P<name>[^/]+)$", self.delete_set),
        ]

    @staticmethod
    def error(status, message, code="BadRequest"):
        return ApiError(status, {"error": {"code": code, "message": message}})

    @staticmethod
    def oauth_error(status, error, description):
        code = re.match(r"AADSTS(\d+)", description)
        return ApiError(status, {"error": error, "error_description": description, "error_codes": [int(code.group(1)) if code else 0]})

    def issue(self, expires_in=3599):
        token = "eyJ0eXAiOiJKV1Qi.lab." + secrets.token_urlsafe(32)
        with self.lock:
            self.issued.add(token)
        return token, expires_in

    def authenticate(self, request):
        if "/oauth2/" in request.path:
            return  # the token endpoints check their own requests
        authorization = request.headers.get("Authorization", "")
        if not authorization:
            raise self.error(401, "The request did not have a subscription or a valid tenant level resource provider.", "AuthenticationFailed")
        if not authorization.startswith("Bearer ") or authorization[7:] not in self.issued:
            raise self.error(401, "The access token is invalid.", "InvalidAuthenticationToken")
        if request.arg("api-version") is None:
            raise self.error(400, "The api-version query parameter (?api-version=) is required for all requests.", "MissingApiVersionParameter")

    # The Microsoft identity platform: client credentials.

    def token(self, request):
        if request.headers.get("Content-Type", "").split(";")[0].strip() != "application/x-www-form-urlencoded":
            raise self.oauth_error(400, "invalid_request", "AADSTS900144: The request body must contain the following parameter: 'grant_type'.")
        form = {k: v[0] for k, v in parse_qs(request.raw.decode(), keep_blank_values=True).items()}
        c = self.lab.credentials
        if request.match.group("tenant") != c["tenant"]:
            raise self.oauth_error(400, "invalid_request", "AADSTS90002: Tenant '%s' not found." % request.match.group("tenant"))
        if form.get("grant_type") != "client_credentials":
            raise self.oauth_error(400, "unsupported_grant_type", "AADSTS70003: The app requested an unsupported grant type.")
        if form.get("scope") != RESOURCE + "/.default":
            raise self.oauth_error(400, "invalid_scope", "AADSTS1002012: The provided value for scope %s is not valid." % form.get("scope"))
        if form.get("client_id") != c["client_id"]:
            raise self.oauth_error(400, "unauthorized_client", "AADSTS700016: Application with identifier '%s' was not found in the directory." % form.get("client_id"))
        if "client_secret" in form:
            if form["client_secret"] != c.get("client_secret"):
                raise self.oauth_error(401, "invalid_client", "AADSTS7000215: Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID.")
        elif "client_assertion" in form:
            if form.get("client_assertion_type") != "urn:ietf:params:oauth:client-assertion-type:jwt-bearer":
                raise self.oauth_error(400, "invalid_request", "AADSTS50027: client_assertion_type must be urn:ietf:params:oauth:client-assertion-type:jwt-bearer.")
            if form["client_assertion"] != c.get("federated_token"):
                raise self.oauth_error(401, "invalid_client", "AADSTS700213: No matching federated identity record found for presented assertion.")
        else:
            raise self.oauth_error(401, "invalid_client", "AADSTS7000218: The request body must contain the following parameter: 'client_assertion' or 'client_secret'.")
        token, expires = self.issue()
        return 200, {"token_type": "Bearer", "expires_in": expires, "ext_expires_in": expires, "access_token": token}

    # The Instance Metadata Service.

    def imds_token(self, request):
        if request.headers.get("Metadata") != "true":
            raise self.oauth_error(400, "invalid_request", "Required metadata header not specified")
        if request.arg("api-version") is None:
            raise ApiError(400, {"error": "invalid_request", "error_description": "Required query variable 'api-version' is missing"})
        if request.arg("resource") not in (RESOURCE, RESOURCE + "/"):
            raise ApiError(400, {"error": "invalid_resource", "error_description": "AADSTS500011: The resource principal named %s was not found." % request.arg("resource")})
        token, expires = self.issue()
        return 200, {"access_token": token, "expires_in": str(expires), "expires_on": "0", "resource": request.arg("resource"), "token_type": "Bearer"}

    # Azure Resource Manager.

    def paged(self, request, items):
        try:
            start = int(request.arg("$skiptoken", "0"))
        except ValueError:
            raise self.error(400, "Invalid $skiptoken", "InvalidSkipToken")
        body = {"value": items[start:start + 1]}
        if start + 1 < len(items):
            body["nextLink"] = "https://%s%s?api-version=%s&$skiptoken=%d" % (request.headers.get("Host", ""), request.path, request.arg("api-version"), start + 1)
        return 200, body

    def list_subscriptions(self, request):
        return self.paged(request, [{"id": "/subscriptions/" + s, "subscriptionId": s, "displayName": "lab %d" % i, "state": "Enabled"}
                                    for i, s in enumerate(self.subscriptions)])

    def subscription(self, request):
        s = request.match.group("subscription")
        if s not in self.subscriptions:
            raise self.error(404, "The subscription '%s' could not be found." % s, "SubscriptionNotFound")
        return s

    def list_zones(self, request):
        s = self.subscription(request)
        zones = [] if s != self.lab.credentials["subscription"] else [
            {"id": "/subscriptions/%s/resourceGroups/%s/providers/Microsoft.Network/dnszones/%s" % (s, g, z), "name": z,
             "type": "Microsoft.Network/dnszones", "location": "global", "etag": "00000000-0000-0000-0000-000000000000",
             "properties": {"zoneType": "Public", "nameServers": ["ns1-01.azure-dns.com."]}} for g, z in self.zones]
        return self.paged(request, zones)

    def where(self, request):
        """The zone and relative name a record set path names; 404 as ARM says for unknown ones."""
        s = self.subscription(request)
        group, zone = request.match.group("group"), request.match.group("zone").lower()
        if (group, zone) not in [(g, z) for g, z in self.zones if g == self.lab.credentials["resource_group"]] or s != self.lab.credentials["subscription"]:
            raise self.error(404, "The resource 'Microsoft.Network/dnszones/%s' under resource group '%s' was not found." % (zone, group), "ResourceNotFound")
        return s, group, zone, request.match.group("name").lower()

    def resource(self, s, group, zone, name, stored):
        fqdn = (zone if name == "@" else name + "." + zone) + "."
        return {"id": "/subscriptions/%s/resourceGroups/%s/providers/Microsoft.Network/dnszones/%s/TXT/%s" % (s, group, zone, name),
                "name": name, "type": "Microsoft.Network/dnszones/TXT", "etag": stored["etag"],
                "properties": {"metadata": {}, "TTL": stored["ttl"], "fqdn": fqdn, "provisioningState": "Succeeded",
                               "TXTRecords": [{"value": [v]} for v in stored["values"]]}}

    def get_set(self, request):
        s, group, zone, name = self.where(request)
        with self.lock:
            stored = self.sets.get((zone, name))
            if stored is None:
                raise self.error(404, "The resource record '%s' does not exist in resource group '%s' of subscription '%s'." % (name, group, s), "NotFound")
            return 200, self.resource(s, group, zone, name, stored), {"ETag": stored["etag"]}

    def precondition(self, request, stored):
        match, none_match = request.headers.get("If-Match"), request.headers.get("If-None-Match")
        if match is not None and (stored is None or (match != "*" and match != stored["etag"])):
            raise self.error(412, "The condition '%s' in the If-Match header was not satisfied. The current was '%s'." % (match, stored["etag"] if stored else "n/a"), "PreconditionFailed")
        if none_match == "*" and stored is not None:
            raise self.error(412, "The Record set %s exists already and hence could not be created again." % request.match.group("name"), "PreconditionFailed")

    def put_set(self, request):
        s, group, zone, name = self.where(request)
        body = request.json(lambda message: self.error(400, message, "InvalidRequestFormat"))
        properties = body.get("properties") if isinstance(body, dict) else None
        if not isinstance(properties, dict):
            raise self.error(400, "The request body must hold properties.", "InvalidRequestFormat")
        ttl, records = properties.get("TTL"), properties.get("TXTRecords")
        if not isinstance(ttl, int) or not 0 <= ttl <= 2147483647:
            raise self.error(400, "The value of the TTL property is invalid.", "BadRequest")
        if not isinstance(records, list) or not records or not all(
                isinstance(r, dict) and isinstance(r.get("value"), list) and r["value"] and all(isinstance(v, str) and 0 < len(v) <= 255 for v in r["value"]) for r in records):
            raise self.error(400, "The TXTRecords property must hold records whose value is a list of strings of 1 to 255 characters.", "BadRequest")
        values = ["".join(r["value"]) for r in records]
        if len(set(values)) != len(values):
            raise self.error(400, "The record set holds the same TXT record twice.", "BadRequest")
        with self.lock:
            stored = self.sets.get((zone, name))
            self.precondition(request, stored)
            fqdn = zone if name == "@" else name + "." + zone
            old = set(stored["values"]) if stored else set()
            try:
                for value in old - set(values):
                    self.lab.publish(False, fqdn, value)
                for value in values:
                    if value not in old:
                        self.lab.publish(True, fqdn, value, max(ttl, 1))
            except RuntimeError as failure:
                raise self.error(500, str(failure), "InternalServerError")
            new = {"etag": str(uuid.uuid4()), "ttl": ttl, "values": values}
            self.sets[(zone, name)] = new
            return (201 if stored is None else 200), self.resource(s, group, zone, name, new), {"ETag": new["etag"]}

    def delete_set(self, request):
        s, group, zone, name = self.where(request)
        with self.lock:
            stored = self.sets.get((zone, name))
            if stored is None and request.headers.get("If-Match") is None:
                return 204, None
            self.precondition(request, stored)
            fqdn = zone if name == "@" else name + "." + zone
            for value in stored["values"]:
                self.lab.publish(False, fqdn, value)
            del self.sets[(zone, name)]
            return 200, None

    def snapshot(self):
        with self.lock:
            return [{"zone": z, "name": n, **v} for (z, n), v in self.sets.items()]
