import CertCore
import Foundation
import TestSupport
import Testing

/// A CA that refuses every order naming a certificate in `replaces` — as one does for another
/// CA's or another account's certificate — gets the order again without it; a rate limit is
/// not retried. The CA here is a few lines of Python of this test's own: the ARI stub refuses
/// only with `alreadyReplaced`.
@Suite(.lab) struct ACMEReplacesRefusedTests {
    static let refusingCA = #"""
    import base64, json, sys, threading, os
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
    seen = []
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        def log_message(self, *args): pass
        def reply(self, status, body=None, headers={}, kind="application/json"):
            data = b"" if body is None else json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Replay-Nonce", os.urandom(8).hex())
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(data)))
            for name, value in headers.items(): self.send_header(name, value)
            self.end_headers()
            if self.command != "HEAD": self.wfile.write(data)
        def base(self): return "http://127.0.0.1:%d" % self.server.server_address[1]
        def do_HEAD(self): self.reply(200)
        def do_GET(self):
            if self.path == "/dir":
                b = self.base()
                self.reply(200, {"newNonce": b + "/nonce", "newAccount": b + "/acct", "newOrder": b + "/order", "revokeCert": b + "/revoke", "renewalInfo": b + "/ri"})
            elif self.path == "/stats": self.reply(200, {"replaces": seen})
            else: self.reply(200)
        def do_POST(self):
            jws = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            payload = json.loads(base64.urlsafe_b64decode(jws["payload"] + "=" * (-len(jws["payload"]) % 4)))
            if self.path == "/acct":
                self.reply(201, {"status": "valid"}, {"Location": self.base() + "/acct/1"})
                return
            replaces = payload.get("replaces")
            seen.append(replaces)
            problem = "application/problem+json"
            if replaces == "rate.limited":
                self.reply(429, {"type": "urn:ietf:params:acme:error:rateLimited", "detail": "too many"}, {"Retry-After": "60"}, problem)
            elif replaces is not None:
                self.reply(403, {"type": "urn:ietf:params:acme:error:unauthorized", "detail": "requester account did not request the certificate being replaced"}, {}, problem)
            else:
                self.reply(201, {"status": "pending", "identifiers": payload["identifiers"], "authorizations": [], "finalize": self.base() + "/finalize"}, {"Location": self.base() + "/order/1"})
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=lambda: (sys.stdin.read(), os._exit(0)), daemon=True).start()
    print("READY %d" % server.server_address[1], flush=True)
    server.serve_forever()
    """#

    @Test func aRefusedReplacesIsDroppedButARateLimitIsNot() async throws {
        let ca = try await ServerProcess("python3", ["-c", Self.refusingCA])
        let http = try HTTPClient()
        let client = try await ACMEClient.connect(to: try ACMEServer("http://127.0.0.1:\(ca.port)/dir"), accountKey: try PrivateKey.generate(.ec256), http: http)
        _ = try await client.register(contact: [], termsOfServiceAgreed: true)

        let order = try await client.newOrder(identifiers: [.dns("refused.example.test")], replaces: "other.account")
        #expect(order.replaces == nil)
        let limited = await #expect(throws: ACMEError.self) { try await client.newOrder(identifiers: [.dns("limited.example.test")], replaces: "rate.limited") }
        #expect(limited?.problemType == "rateLimited")

        let stats = try await http.send(HTTPRequest(url: "http://127.0.0.1:\(ca.port)/stats"))
        let seen = try JSONSerialization.jsonObject(with: stats.body) as? [String: [Any]]
        #expect(try #require(seen?["replaces"]).map { $0 as? String } == ["other.account", nil, "rate.limited"])
    }
}
