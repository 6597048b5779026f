import Foundation
@testable import Providers
import TestSupport

/// The servers the route53 tests start for themselves, next to the lab's moto.
enum Route53TestServers {
    /// Writes `source` as a Python script in a fresh temporary directory and starts it.
    static func python(_ source: String, name: String, arguments: [String] = []) async throws -> ServerProcess {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("route53-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let script = directory.appendingPathComponent(name)
        try source.write(to: script, atomically: true, encoding: .utf8)
        return try await ServerProcess("python3", [script.path] + arguments)
    }

    /// moto, in this process's own server, checking every request's signature and permission as
    /// AWS does (moto's IAM access control: the access key must exist, the signature — computed
    /// by botocore — must match, an assumed role's session token must be the one STS issued, and
    /// the key's policies must allow the action). It prints its users, role and zone as JSON.
    ///
    /// Two faults of moto 5.2 are mended here: it hashes its dict of headers as the payload of a
    /// request without a body (so no correctly signed GET verifies), and it fails on the unsigned
    /// AssumeRoleWithWebIdentity (AWS takes it unsigned: the token is the proof).
    static let authenticatingMoto = #"""
        import json, sys, time
        import boto3
        from botocore.awsrequest import AWSRequest
        from moto import settings
        from moto.core.authorization import ActionAuthenticatorMixin
        from moto.iam import access_control
        from moto.moto_server.threaded_moto_server import ThreadedMotoServer

        def request_with_received_body(self):
            signed = self._get_string_between("SignedHeaders=", ",", self._headers["Authorization"]).split(";")
            data = self._body or (b"" if self._method == "GET" else self._data)
            request = AWSRequest(method=self._method, url=self._path, data=data, headers=self._create_headers_for_aws_request(signed, self._headers))
            request.context["timestamp"] = self._headers["X-Amz-Date"]
            return request
        access_control.IAMRequestBase._create_aws_request = request_with_received_body

        authorize = ActionAuthenticatorMixin._authenticate_and_authorize_action
        def authorize_unless_web_identity(self, iam_request_cls, resource="*"):
            if self._get_action() == "AssumeRoleWithWebIdentity":
                return
            return authorize(self, iam_request_cls, resource)
        ActionAuthenticatorMixin._authenticate_and_authorize_action = authorize_unless_web_identity

        settings.INITIAL_NO_AUTH_ACTION_COUNT = float("inf")
        server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
        server.start()
        host, port = server.get_host_and_port()
        setup = dict(endpoint_url=f"http://{host}:{port}", region_name="us-east-1", aws_access_key_id="setup", aws_secret_access_key="setup")
        iam = boto3.client("iam", **setup)
        route53 = boto3.client("route53", **setup)
        route53_only = json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "route53:*", "Resource": "*"}]})
        iam.create_user(UserName="dns")
        iam.put_user_policy(UserName="dns", PolicyName="dns", PolicyDocument=route53_only)
        dns = iam.create_access_key(UserName="dns")["AccessKey"]
        iam.create_user(UserName="assumer")
        iam.put_user_policy(UserName="assumer", PolicyName="assume", PolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "*"}]}))
        assumer = iam.create_access_key(UserName="assumer")["AccessKey"]
        trust = json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": ["arn:aws:iam::123456789012:user/dns", "arn:aws:iam::123456789012:user/assumer"]}, "Action": "sts:AssumeRole"}]})
        role = iam.create_role(RoleName="dns-role", AssumeRolePolicyDocument=trust)["Role"]["Arn"]
        iam.put_role_policy(RoleName="dns-role", PolicyName="dns", PolicyDocument=route53_only)
        zone = route53.create_hosted_zone(Name="signed.test.", CallerReference="signed-%f" % time.time())["HostedZone"]["Id"].split("/")[-1]
        settings.INITIAL_NO_AUTH_ACTION_COUNT = 0
        print(json.dumps({"accessKeyID": dns["AccessKeyId"], "secretAccessKey": dns["SecretAccessKey"], "assumerKeyID": assumer["AccessKeyId"], "assumerSecret": assumer["SecretAccessKey"], "roleARN": role, "zone": "signed.test.", "zoneID": zone}))
        print(f"READY {port}", flush=True)
        sys.stdin.read()
        """#

    /// A Route 53 stand-in in front of moto (its argument: JSON with `target`, and optionally
    /// `throttle`, `refuseDeletes`, `zones`, `pending`). It answers the first `throttle` requests
    /// 400 Throttling, as Route 53 does; the first `refuseDeletes` DELETE changes 400
    /// InvalidChangeBatch, as Route 53 does when the set changed since it was read; serves ListHostedZonesByName from `zones` one zone per page, as Route 53 pages
    /// (sorted by name with the labels reversed; `dnsname` + `hostedzoneid` say where
    /// a page starts; IsTruncated, NextDNSName, NextHostedZoneId); forwards everything else
    /// to moto, reporting each change PENDING until GetChange has been asked `pending` times. Each request is printed as `REQUEST <method> <path>?<query> <answer status>`.
    static let route53Stub = #"""
        import http.server, json, sys, threading, urllib.error, urllib.parse, urllib.request
        config = json.loads(sys.argv[1])
        lock = threading.Lock()
        state = {"throttled": 0}

        def labels(name):
            return list(reversed(name.rstrip(".").lower().split(".")))

        def zones_page(query):
            # Zones of one name keep the order they were given in (Route 53 orders them by ID).
            ranked = sorted(enumerate(config["zones"]), key=lambda pair: (labels(pair[1]["name"]), pair[0]))
            start = 0
            if "dnsname" in query:
                ids = [z["id"] for z in config["zones"]]
                after = query.get("hostedzoneid", [None])[0]
                wanted = (labels(query["dnsname"][0]), ids.index(after) if after in ids else -1)
                start = next((i for i, (n, z) in enumerate(ranked) if (labels(z["name"]), n) >= wanted), len(ranked))
            zones = [z for _, z in ranked]
            page, rest = zones[start:start + 1], zones[start + 1:]
            items = "".join(f"<HostedZone><Id>/hostedzone/{z['id']}</Id><Name>{z['name']}</Name><CallerReference>stub</CallerReference><Config><PrivateZone>{'true' if z['private'] else 'false'}</PrivateZone></Config><ResourceRecordSetCount>2</ResourceRecordSetCount></HostedZone>" for z in page)
            more = f"<IsTruncated>true</IsTruncated><NextDNSName>{rest[0]['name']}</NextDNSName><NextHostedZoneId>{rest[0]['id']}</NextHostedZoneId>" if rest else "<IsTruncated>false</IsTruncated>"
            return f'<?xml version="1.0"?><ListHostedZonesByNameResponse xmlns="https://route53.amazonaws.com/doc/2013-04-01/"><HostedZones>{items}</HostedZones>{more}<MaxItems>1</MaxItems></ListHostedZonesByNameResponse>'.encode()

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            def log_message(self, *args):
                pass
            def do_GET(self):
                self.serve()
            def do_POST(self):
                self.serve()
            def serve(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                path, _, query = self.path.partition("?")
                with lock:
                    throttle = state["throttled"] < config.get("throttle", 0)
                    if throttle:
                        state["throttled"] += 1
                refuse = False
                if b"<Action>DELETE</Action>" in body:
                    with lock:
                        refuse = state.get("refused", 0) < config.get("refuseDeletes", 0)
                        if refuse:
                            state["refused"] = state.get("refused", 0) + 1
                if throttle:
                    status, data = 400, b"<ErrorResponse><Error><Type>Sender</Type><Code>Throttling</Code><Message>Rate exceeded</Message></Error><RequestId>stub</RequestId></ErrorResponse>"
                elif refuse:
                    status, data = 400, b"<ErrorResponse><Error><Type>Sender</Type><Code>InvalidChangeBatch</Code><Message>[Tried to delete resource record set but the values provided do not match the current values]</Message></Error><RequestId>stub</RequestId></ErrorResponse>"
                elif path.endswith("/hostedzonesbyname") and "zones" in config:
                    status, data = 200, zones_page(urllib.parse.parse_qs(query))
                else:
                    headers = {k: v for k, v in self.headers.items() if k.lower() not in ("host", "content-length", "connection")}
                    request = urllib.request.Request(config["target"] + self.path, data=body if self.command == "POST" else None, method=self.command, headers=headers)
                    try:
                        with urllib.request.urlopen(request) as answer:
                            status, data = answer.status, answer.read()
                    except urllib.error.HTTPError as error:
                        status, data = error.code, error.read()
                    # A change stays PENDING until GetChange has been asked `pending` times.
                    is_change = (self.command == "POST" and path.endswith("/rrset/")) or "/change/" in path
                    if is_change and status == 200:
                        with lock:
                            if "/change/" in path:
                                state["asked"] = state.get("asked", 0) + 1
                                still = state["asked"] < config.get("pending", 0)
                            else:
                                still = config.get("pending", 0) > 0
                        if still:
                            data = data.replace(b"INSYNC", b"PENDING")
                print(f"REQUEST {self.command} {self.path} {status}", flush=True)
                self.send_response(status)
                self.send_header("Content-Type", "text/xml")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        print(f"READY {server.server_address[1]}", flush=True)
        sys.stdin.read()
        """#
}

/// What the authenticating moto printed about itself.
struct SignedMoto: Decodable {
    /// A user allowed Route 53, not sts:AssumeRole.
    var accessKeyID: String
    var secretAccessKey: String
    /// A user allowed only sts:AssumeRole (of `roleARN`), not Route 53.
    var assumerKeyID: String
    var assumerSecret: String
    var roleARN: String
    var zone: String
    var zoneID: String
}

/// Route 53 calls the tests make themselves (creating zones, reading a TXT set back), signed
/// with the given keys through the adapter's own API layer.
struct Route53Admin {
    var api: AWSAPI

    init(endpoint: String, accessKeyID: String, secretAccessKey: String, sessionToken: String? = nil) {
        let keys = AWSCredentials(accessKeyID: accessKeyID, secretAccessKey: secretAccessKey, sessionToken: sessionToken)
        let credentials = AWSCredentialProvider(source: .keys(keys, from: "test"), stsEndpoint: endpoint, region: "us-east-1", maxRetries: 0)
        api = AWSAPI(name: "Route 53", signingName: "route53", region: "us-east-1", endpoint: endpoint, credentials: credentials, maxRetries: 0)
    }

    /// Creates a hosted zone; a private one is attached to a made-up VPC. Returns its ID.
    func createZone(_ name: String, isPrivate: Bool = false) async throws -> String {
        let privacy = isPrivate ? "<VPC><VPCRegion>us-east-1</VPCRegion><VPCId>vpc-0a1b2c3d</VPCId></VPC>" : ""
        let body = """
            <?xml version="1.0" encoding="UTF-8"?><CreateHostedZoneRequest xmlns="https://route53.amazonaws.com/doc/2013-04-01/">\
            <Name>\(name)</Name>\(privacy)<CallerReference>\(UUID().uuidString)</CallerReference>\
            <HostedZoneConfig><PrivateZone>\(isPrivate)</PrivateZone></HostedZoneConfig></CreateHostedZoneRequest>
            """
        let answer = try await api.call("POST", "/2013-04-01/hostedzone", body: Data(body.utf8), contentType: "application/xml", doing: "creating hosted zone \(name)")
        return Route53Provider.zoneID(answer.text("HostedZone", "Id") ?? "")
    }

    func deleteZone(_ id: String) async {
        _ = try? await api.call("DELETE", "/2013-04-01/hostedzone/\(id)", doing: "deleting hosted zone \(id)")
    }

    /// The values (unquoted) of the TXT set at `fqdn` in zone `id`.
    func values(at fqdn: String, zoneID id: String) async throws -> Set<String> {
        let answer = try await api.call("GET", "/2013-04-01/hostedzone/\(id)/rrset", query: [("name", fqdn), ("type", "TXT")], doing: "reading \(fqdn)")
        let sets = answer.child("ResourceRecordSets")?.children("ResourceRecordSet") ?? []
        guard let set = sets.first(where: { $0.text("Name") == fqdn && $0.text("Type") == "TXT" }) else { return [] }
        return Set(set.child("ResourceRecords")?.children("ResourceRecord").compactMap { $0.text("Value").map(TXTContent.unquoted) } ?? [])
    }
}
