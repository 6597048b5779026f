import Foundation

/// A stand-in for a hosted provider's HTTP API (lab/provider-apis/<provider>.py) that checks
/// each request as the provider documents it and publishes what it stores into a real lab zone
/// through the BIND primary, so conformance and issuance run through real DNS.
public final class ProviderAPILab: Sendable {
    public let server: ServerProcess
    public let baseURL: String
    public let zone: String
    /// The nameserver the stand-in publishes to (the zone's primary). The conformance suite reads
    /// it alone: the secondary's NOTIFY lag is the propagation checker's business, which the
    /// issuance tests cover through both nameservers.
    public let nameservers: [String]
    /// Trust for the stand-in's HTTPS: the lab CA, as a user's SSL_CERT_FILE.
    public let trust: [String: String]
    /// `127.0.0.1:<port>` of the stand-in's plain-HTTP listener (a cloud metadata server), for
    /// rules that ask for one.
    public let plainHost: String?

    /// `credentials` are what the stand-in accepts (e.g. ["token": "…"]).
    public init(_ provider: String, credentials: [String: String]) async throws {
        let caBundle = try Lab.require("LAB_CA_BUNDLE", component: "pebble")
        let ca = URL(fileURLWithPath: caBundle).deletingLastPathComponent()
        zone = try Lab.require("LAB_DNS_ZONE", component: "dns")
        let primary = try Lab.require("LAB_DNS_PRIMARY", component: "dns")
        nameservers = [primary]
        let keyName = try Lab.require("LAB_TSIG_KEY", component: "dns")
        let keyFile = Lab.directory.appendingPathComponent("dns/keys/\(keyName).key").path
        let script = Lab.repositoryRoot.appendingPathComponent("lab/provider-apis/provider_api.py").path
        var arguments = [script, "--provider", provider, "--cert", ca.appendingPathComponent("localhost.pem").path, "--key", ca.appendingPathComponent("localhost-key.pem").path,
                         "--zone", zone, "--nameserver", "\(primary):\(try Lab.require("LAB_DNS_PORT", component: "dns"))", "--key-file", keyFile]
        for (name, value) in credentials.sorted(by: { $0.key < $1.key }) { arguments += ["--credential", "\(name)=\(value)"] }
        server = try await ServerProcess("python3", arguments)
        baseURL = "https://127.0.0.1:\(server.port)"
        plainHost = server.outputLines.first { $0.hasPrefix("PLAIN ") }.map { "127.0.0.1:\($0.dropFirst(6))" }
        trust = ["SSL_CERT_FILE": caBundle]
    }

    /// Queues `count` answers of `status` (with `headers` and a JSON `body`) for the next API
    /// requests — only those of `method` to `path` when given.
    public func fault(status: Int, count: Int, headers: [String: String] = [:], body: [String: Any] = [:], method: String? = nil, path: String? = nil) async throws {
        var fault: [String: Any] = ["status": status, "count": count, "headers": headers, "body": body]
        fault["method"] = method
        fault["path"] = path
        _ = try await control("POST", "/_lab/faults", body: fault)
    }

    /// Every API request the stand-in received: method, path, query, header names, body.
    public func requests() async throws -> [[String: Any]] {
        (try JSONSerialization.jsonObject(with: try await control("GET", "/_lab/requests")) as? [[String: Any]]) ?? []
    }

    private func control(_ method: String, _ path: String, body: [String: Any]? = nil) async throws -> Data {
        var arguments = ["-sS", "--fail", "--cacert", trust["SSL_CERT_FILE"] ?? "", "-X", method, baseURL + path]
        if let body { arguments += ["-H", "Content-Type: application/json", "--data", String(decoding: try JSONSerialization.data(withJSONObject: body), as: UTF8.self)] }
        let result = try await Subprocess.run("curl", arguments)
        return Data(result.stdout.utf8)
    }
}
