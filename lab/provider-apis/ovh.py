"""OVHcloud API v1 (/1.0), the DNS zone part DNS-01 uses.

Follows:
  https://help.ovhcloud.com/csm/en-gb-api-getting-started-ovhcloud-api?id=kb_article_view&sysparm_article=KB0042784
    (application key/secret, consumer key; the X-Ovh-Application, X-Ovh-Consumer,
    X-Ovh-Timestamp and X-Ovh-Signature headers; the signature "$1$" + SHA1 hex of
    AS+CK+METHOD+URL+BODY+TIMESTAMP joined by "+"; GET /auth/time for the server's clock)
  https://eu.api.ovh.com/console/ (domain/zone: GET /domain/zone/{zoneName},
    GET/POST /domain/zone/{zoneName}/record with fieldType/subDomain filters,
    GET/DELETE /domain/zone/{zoneName}/record/{id}, POST /domain/zone/{zoneName}/refresh)
  https://go-acme.github.io/lego/dns/ovh/ (variables)

Checked: every call but /auth/time carries X-Ovh-Application (credential `application_key`),
X-Ovh-Consumer (`consumer_key`), X-Ovh-Timestamp within 300 s of this server's clock (generous:
a loaded test machine can hold a signed request that long) — a clock that runs `clock_skew`
seconds (credential, default 0) off the machine's, so a client that does not take the time
from /auth/time is refused with QUERY_TIME_OUT — and X-Ovh-Signature computed with the
application secret (`application_secret`) over the exact URL (query included) and body;
errors as OVH answers them ({errorCode, httpCode, message} for authentication, {class,
message} for the rest); the zone exists (404 "This service does not exist"); the record body
(fieldType TXT, relative subDomain, non-empty target, optional integer ttl, nothing else);
listing answers ids only, filtered by fieldType and subDomain; unknown ids 404.
Records are served only after POST …/refresh, as OVH applies zone changes then.
Not checked: access rules granted to the consumer key beyond "it exists", the OAuth2
service-account flow, records other than TXT, rate limits (tests inject 429).
"""
import hashlib
import time

from provider_api import ApiError

ZONE = r"^/1\.0/domain/zone/(?P<zone>[^/]+)"
WINDOW = 300


class Rules:
    def __init__(self, lab):
        self.lab = lab
        self.skew = int(lab.credentials.get("clock_skew", "0"))
        self.records = {}
        self.port = None

    def routes(self):
        return [
            ("GET", r"^/1\.0/auth/time$", self.auth_time),
            ("GET", ZONE + "$", self.get_zone),
            ("GET", ZONE + "/record$", self.list_records),
            ("POST", ZONE + "/record$", self.create_record),
            ("GET", ZONE + r"/record/(?P<id>[0-9]+)$", self.get_record),
            ("DELETE", ZONE + r"/record/(?P<id>[0-9]+)$", self.delete_record),
            ("POST", ZONE + "/refresh$", self.refresh),
        ]

    def now(self):
        return int(time.time()) + self.skew

    @staticmethod
    def error(status, message, code=None):
        if code:
            reason = {400: "Bad Request", 401: "Unauthorized", 403: "Forbidden"}.get(status, "Error")
            return ApiError(status, {"errorCode": code, "httpCode": "%d %s" % (status, reason), "message": message})
        kind = {400: "Client::BadRequest", 403: "Client::Forbidden", 404: "Client::NotFound", 405: "Client::MethodNotAllowed"}.get(status, "Server::InternalServerError")
        return ApiError(status, {"class": kind, "message": message})

    def authenticate(self, request):
        if request.path == "/1.0/auth/time":
            return
        headers, credentials = request.headers, self.lab.credentials
        application, consumer = headers.get("X-Ovh-Application"), headers.get("X-Ovh-Consumer")
        stamp, signature = headers.get("X-Ovh-Timestamp"), headers.get("X-Ovh-Signature")
        if not application:
            raise self.error(403, "This call has not been granted", "NOT_GRANTED_CALL")
        if application != credentials.get("application_key"):
            raise self.error(403, "Invalid application key", "INVALID_KEY")
        if consumer != credentials.get("consumer_key"):
            raise self.error(403, "This credential does not exist", "INVALID_CREDENTIAL")
        if not stamp or not stamp.isdigit() or abs(int(stamp) - self.now()) > WINDOW:
            raise self.error(400, "Query out of time", "QUERY_TIME_OUT")
        url = "https://%s%s" % (headers.get("Host"), request.path) + ("?" + request.query_string if request.query_string else "")
        expected = "$1$" + hashlib.sha1("+".join([credentials.get("application_secret", ""), consumer, request.method, url,
                                                 request.raw.decode("utf-8"), stamp]).encode()).hexdigest()
        if signature != expected:
            raise self.error(400, "Invalid signature", "INVALID_SIGNATURE")

    def auth_time(self, request):
        return 200, self.now()

    def zone(self, request):
        zone = request.match.group("zone").lower()
        if zone not in self.lab.zones:
            raise self.error(404, "This service does not exist")
        return zone

    def get_zone(self, request):
        zone = self.zone(request)
        return 200, {"name": zone, "hasDnsAnycast": False, "dnssecSupported": True, "nameServers": ["dns1.example.test", "ns1.example.test"]}

    def list_records(self, request):
        zone = self.zone(request)
        kind, sub = request.arg("fieldType"), request.arg("subDomain")
        with self.lab.lock:
            ids = [r["id"] for r in self.records.values() if r["zone"] == zone
                   and (kind is None or r["fieldType"] == kind) and (sub is None or r["subDomain"] == sub.lower())]
        return 200, sorted(ids)

    def create_record(self, request):
        zone = self.zone(request)
        body = request.json(lambda message: self.error(400, message))
        if not isinstance(body, dict):
            raise self.error(400, "the body must be a JSON object")
        unknown = set(body) - {"fieldType", "subDomain", "target", "ttl"}
        if unknown:
            raise self.error(400, "Invalid parameters: %s" % ", ".join(sorted(unknown)))
        if body.get("fieldType") != "TXT":
            raise self.error(400, "this stand-in serves TXT records only")
        sub, target, ttl = str(body.get("subDomain", "")).lower(), body.get("target"), body.get("ttl", 0)
        if sub.endswith("." + zone) or sub == zone or sub.endswith("."):
            raise self.error(400, "Invalid subDomain: give it relative to the zone")
        if not isinstance(target, str) or not target:
            raise self.error(400, "Missing parameter: target")
        if not isinstance(ttl, int) or isinstance(ttl, bool) or ttl < 0:
            raise self.error(400, "Invalid ttl")
        with self.lab.lock:
            record = {"id": self.lab.new_id() * 10 + 3, "zone": zone, "subDomain": sub, "fieldType": "TXT", "target": target,
                      "ttl": ttl, "published": False, "removed": False}
            self.records[record["id"]] = record
        return 200, {k: v for k, v in record.items() if k not in ("published", "removed")}

    def get_record(self, request):
        zone = self.zone(request)
        with self.lab.lock:
            record = self.records.get(int(request.match.group("id")))
            if record is None or record["zone"] != zone:
                raise self.error(404, "This service does not exist")
            return 200, {k: v for k, v in record.items() if k not in ("published", "removed")}

    def delete_record(self, request):
        zone = self.zone(request)
        with self.lab.lock:
            record = self.records.get(int(request.match.group("id")))
            if record is None or record["zone"] != zone or record["removed"]:
                raise self.error(404, "This service does not exist")
            record["removed"] = True
        return 200, None

    def refresh(self, request):
        zone = self.zone(request)
        if request.raw:
            raise self.error(400, "refresh takes no body")
        with self.lab.lock:
            try:
                for record in [r for r in self.records.values() if r["zone"] == zone]:
                    fqdn = "%s.%s" % (record["subDomain"], zone) if record["subDomain"] else zone
                    if record["removed"]:
                        if record["published"]:
                            self.lab.publish(False, fqdn, record["target"].strip('"'))
                        del self.records[record["id"]]
                    elif not record["published"]:
                        self.lab.publish(True, fqdn, record["target"].strip('"'), 60)
                        record["published"] = True
            except RuntimeError as failure:
                raise self.error(500, str(failure))
        return 200, None

    def snapshot(self):
        with self.lab.lock:
            return list(self.records.values())
