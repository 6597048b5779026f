public import CertCore
import Foundation

/// The renewal window an `ARIProxyLab` suggests for every certificate.
public enum ARIWindow: String, Sendable, CaseIterable {
    /// It ended a day ago: renew at once.
    case past
    /// It holds this moment.
    case now
    /// It opens in five days.
    case future
}

/// The lab's Pebble behind a proxy of this test's own (`lab/ari-proxy/ari_proxy.py`) that adds
/// RFC 9773 renewal information: a directory with `renewalInfo`, a suggested window in the mode
/// the test sets, and `replaces` in newOrder checked against the certificates that passed
/// through it. Real issuance by Pebble, real ARI; one proxy per test, so tests run in parallel.
///
///     let ca = try await ARIProxyLab(window: .now)
///     let client = try await ca.newAccount()
///     let issued = try await ca.pebble.issue(client, names: [PebbleLab.uniqueName()])
///     #expect(try await ca.issued().count == 1)
public final class ARIProxyLab: Sendable {
    /// One newOrder the CA settled: created by Pebble, or refused by the proxy.
    public struct Order: Sendable, Decodable, Equatable {
        public var names: [String]
        /// The RFC 9773 identifier the order said it replaces.
        public var replaces: String?
        /// True when the proxy refused the order (it never reached Pebble).
        public var refused: Bool
        /// The short problem type of a refusal (`malformed`, `alreadyReplaced`, …).
        public var problem: String?

        public init(names: [String], replaces: String? = nil, refused: Bool = false, problem: String? = nil) {
            self.names = names
            self.replaces = replaces
            self.refused = refused
            self.problem = problem
        }
    }

    private struct Stats: Decodable {
        var orders: [Order]
        var issued: [String]
    }

    public struct Failed: Error, CustomStringConvertible {
        public var description: String
    }

    /// The directory URL clients use: the proxy's.
    public let directoryURL: String
    /// `https://127.0.0.1:<port>`
    public let baseURL: String
    /// The lab's Pebble, its HTTP client (which trusts the proxy too) and its DNS-01 flow.
    public let pebble: PebbleLab
    private let server: ServerProcess

    public init(window: ARIWindow = .future) async throws {
        pebble = try PebbleLab()
        let bundle = try Lab.require("LAB_CA_BUNDLE", component: "pebble")
        let ca = URL(fileURLWithPath: bundle).deletingLastPathComponent()
        let script = Lab.repositoryRoot.appendingPathComponent("lab/ari-proxy/ari_proxy.py").path
        server = try await ServerProcess("python3", [
            script, "--upstream", try Lab.require("PEBBLE_DIRECTORY_URL", component: "pebble"), "--ca-bundle", bundle,
            "--cert", ca.appendingPathComponent("localhost.pem").path, "--key", ca.appendingPathComponent("localhost-key.pem").path,
            "--window", window.rawValue,
        ])
        baseURL = "https://127.0.0.1:\(server.port)"
        directoryURL = baseURL + (URL(string: try Lab.require("PEBBLE_DIRECTORY_URL", component: "pebble"))?.path ?? "/dir")
    }

    /// A client of the proxy with a freshly registered account.
    public func newAccount(_ keyType: KeyType = .ec256) async throws -> ACMEClient {
        let client = try await ACMEClient.connect(to: try ACMEServer(directoryURL), accountKey: try PrivateKey.generate(keyType), http: pebble.http)
        _ = try await client.register(contact: ["mailto:certs@example.org"], termsOfServiceAgreed: true)
        return client
    }

    /// Changes the window the proxy suggests from now on.
    public func setWindow(_ window: ARIWindow) async throws {
        let body = try JSONEncoder().encode(["mode": window.rawValue])
        let response = try await pebble.http.send(HTTPRequest(method: "POST", url: baseURL + "/admin/window", headers: ["Content-Type": "application/json"], body: body))
        guard response.status == 200 else {
            throw Failed(description: "the ARI proxy refused window \(window): HTTP \(response.status) \(response.text)")
        }
    }

    /// Refuses the next `orders` newOrders as a CA's rate limit does (429 `rateLimited`, Retry-After).
    public func rateLimit(orders: Int, retryAfterSeconds: Int) async throws {
        let body = try JSONEncoder().encode(["orders": orders, "retryAfter": retryAfterSeconds])
        let response = try await pebble.http.send(HTTPRequest(method: "POST", url: baseURL + "/admin/rate-limit", headers: ["Content-Type": "application/json"], body: body))
        guard response.status == 200 else {
            throw Failed(description: "the ARI proxy refused the rate limit: HTTP \(response.status) \(response.text)")
        }
    }

    /// Every order the CA settled so far, in the order they were settled.
    public func orders() async throws -> [Order] {
        try await stats().orders
    }

    /// The RFC 9773 identifiers of the certificates issued through the proxy, first seen first.
    public func issued() async throws -> [String] {
        try await stats().issued
    }

    private func stats() async throws -> Stats {
        let response = try await pebble.http.send(HTTPRequest(url: baseURL + "/admin/stats"))
        guard response.status == 200 else {
            throw Failed(description: "the ARI proxy's stats answered HTTP \(response.status)")
        }
        return try JSONDecoder().decode(Stats.self, from: response.body)
    }
}
