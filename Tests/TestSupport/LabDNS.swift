public import DNS01
import Foundation

/// The DNS part of the lab (`scripts/lab up dns`): its settings, read from the lab's env file,
/// as the DNS-01 engine's types; and TXT records published and checked with the standard tools
/// (`nsupdate`, `dig`), for tests that must not prove DNS through the engine under test (the
/// ACME client's, the command's).
public struct LabDNS: Sendable {
    public struct Failed: Error, CustomStringConvertible {
        public var description: String
        public init(description: String) { self.description = description }
    }

    public var primary: DNSServer
    public var secondary: DNSServer
    public var resolver: DNSServer
    public var zone: String
    public var delegatedZone: String
    public var slowZone: String
    public var knotZone: String
    public var key: TSIGKey

    public init() throws {
        let port = Int(try Lab.require("LAB_DNS_PORT", component: "dns")) ?? 53
        primary = DNSServer(host: try Lab.require("LAB_DNS_PRIMARY", component: "dns"), port: port)
        secondary = DNSServer(host: try Lab.require("LAB_DNS_SECONDARY", component: "dns"), port: port)
        resolver = try DNSServer(parsing: try Lab.require("LAB_DNS_RESOLVER", component: "dns"))
        zone = try Lab.require("LAB_DNS_ZONE", component: "dns")
        delegatedZone = try Lab.require("LAB_DNS_DELEGATED_ZONE", component: "dns")
        slowZone = try Lab.require("LAB_DNS_SLOW_ZONE", component: "dns")
        knotZone = try Lab.require("LAB_DNS_KNOT_ZONE", component: "dns")
        key = TSIGKey(
            name: try Lab.require("LAB_TSIG_KEY", component: "dns"),
            algorithm: TSIGAlgorithm(name: try Lab.require("LAB_TSIG_ALGORITHM", component: "dns")) ?? .hmacSHA256,
            secret: try Lab.require("LAB_TSIG_SECRET", component: "dns"))
    }

    /// The primary server of a zone: Knot for knot.test, BIND for the others.
    public func primary(of zone: String) -> DNSServer {
        DNSName.normalized(zone) == DNSName.normalized(knotZone) ? secondary : primary
    }

    public func updater(for zone: String) -> DNSUpdateClient {
        DNSUpdateClient(server: primary(of: zone), key: key)
    }

    /// Both lab nameservers as the discovery would report them.
    public var nameservers: [Nameserver] {
        [Nameserver(name: "ns1.lab.", addresses: [primary]), Nameserver(name: "ns2.lab.", addresses: [secondary])]
    }

    /// The serial of `zone` as `server` serves it: it changes on a secondary when it refreshes.
    public func soaSerial(of zone: String, on server: DNSServer) async throws -> String? {
        try await DNSResolver.direct(server).query(zone, .soa).answers.first { $0.type == .soa }?.fields.dropFirst(2).first
    }

    /// The TXT values `server` holds at `name`, asked directly through the engine's resolver.
    public func txtValues(at name: String, on server: DNSServer) async throws -> [String] {
        try await DNSResolver.direct(server).query(name, .txt).txtValues(at: name).sorted()
    }

    /// Polls `server` until it no longer serves `value` at `name` (the secondary learns of a
    /// deletion by NOTIFY or refresh); returns whether it is gone before `limit` polls ran out.
    public func waitUntilGone(_ value: String, at name: String, on server: DNSServer, polls limit: Int = 100) async throws -> Bool {
        for _ in 0..<limit {
            if !(try await txtValues(at: name, on: server)).contains(value) { return true }
            try await Task.sleep(for: .milliseconds(250))
        }
        return false
    }
}

// MARK: - With the standard tools

extension LabDNS {
    /// Adds (or, with `remove`, deletes) TXT values at `name` in the lab's `example.test` zone,
    /// through the BIND primary with the lab's TSIG key (from a key file, never argv).
    public static func update(_ name: String, values: [String], remove: Bool = false) throws {
        let primary = try Lab.require("LAB_DNS_PRIMARY", component: "dns")
        let zone = try Lab.require("LAB_DNS_ZONE", component: "dns")
        let keyName = try Lab.require("LAB_TSIG_KEY", component: "dns")
        let secret = try Lab.require("LAB_TSIG_SECRET", component: "dns")
        let algorithm = try Lab.require("LAB_TSIG_ALGORITHM", component: "dns")
        let keyFile = FileManager.default.temporaryDirectory.appendingPathComponent("lab-tsig-\(UUID().uuidString).key")
        guard FileManager.default.createFile(atPath: keyFile.path, contents: Data("key \"\(keyName)\" { algorithm \(algorithm); secret \"\(secret)\"; };\n".utf8), attributes: [.posixPermissions: 0o600]) else {
            throw Failed(description: "cannot write a TSIG key file in \(FileManager.default.temporaryDirectory.path)")
        }
        defer { try? FileManager.default.removeItem(at: keyFile) }
        var script = "server \(primary) 53\nzone \(zone)\n"
        for value in values {
            script += "update \(remove ? "delete" : "add") \(name). \(remove ? "" : "30 ")TXT \"\(value)\"\n"
        }
        script += "send\n"
        let result = try Subprocess.run("nsupdate", ["-k", keyFile.path], input: Data(script.utf8))
        guard result.status == 0 else {
            throw Failed(description: "nsupdate failed for \(name): \(result.stderr)")
        }
    }

    /// The TXT values `server` answers for `name`, asked with `dig` without recursion.
    public static func txt(_ name: String, at server: String) throws -> [String] {
        let result = try Subprocess.run("dig", ["+norecurse", "+short", "+time=1", "+tries=2", "@\(server)", name, "TXT"])
        return result.stdout.split(separator: "\n").map { $0.trimmingCharacters(in: CharacterSet(charactersIn: "\" ")) }
    }

    /// Waits (bounded) until both lab nameservers serve no TXT value at all at `name`.
    public static func waitUntilEmpty(_ name: String) async throws {
        let servers = [try Lab.require("LAB_DNS_PRIMARY", component: "dns"), try Lab.require("LAB_DNS_SECONDARY", component: "dns")]
        let deadline = Date().addingTimeInterval(30)
        while try servers.contains(where: { try !txt(name, at: $0).isEmpty }) {
            guard Date() < deadline else { throw Failed(description: "\(name) still has TXT records on a lab nameserver after 30 s") }
            try await Task.sleep(for: .milliseconds(200))
        }
    }

    /// Waits (bounded) until both lab nameservers serve every value at `name`.
    public static func waitUntilServed(_ name: String, values: [String]) async throws {
        let servers = [try Lab.require("LAB_DNS_PRIMARY", component: "dns"), try Lab.require("LAB_DNS_SECONDARY", component: "dns")]
        let deadline = Date().addingTimeInterval(30)
        while true {
            let answers = try servers.map { try txt(name, at: $0) }
            let done = answers.allSatisfy { served in
                values.allSatisfy { served.contains($0) }
            }
            if done { return }
            guard Date() < deadline else {
                throw Failed(description: "\(name) TXT not served by both nameservers within 30 s: \(zip(servers, answers).map { "\($0): \($1)" })")
            }
            try await Task.sleep(for: .milliseconds(200))
        }
    }
}
