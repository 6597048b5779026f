import DNS01
import Foundation
import TestSupport

/// The DNS part of the lab, read from `scripts/lab up dns`'s env file.
struct LabDNS {
    var primary: DNSServer
    var secondary: DNSServer
    var resolver: DNSServer
    var zone: String
    var delegatedZone: String
    var slowZone: String
    var knotZone: String
    var key: TSIGKey

    init() throws {
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
    func primary(of zone: String) -> DNSServer {
        DNSName.normalized(zone) == DNSName.normalized(knotZone) ? secondary : primary
    }

    func updater(for zone: String) -> DNSUpdateClient {
        DNSUpdateClient(server: primary(of: zone), key: key)
    }

    /// A fresh label so tests never see each other's records.
    static func uniqueLabel(_ prefix: String) -> String {
        "\(prefix)-\(UInt32.random(in: 0...UInt32.max))"
    }

    /// The TXT values each server of the lab holds at `name`, asked directly.
    func txtValues(at name: String, on server: DNSServer) async throws -> [String] {
        try await DNSResolver.direct(server).query(name, .txt).txtValues(at: name).sorted()
    }
}

extension LabDNS {
    /// Both lab nameservers as the discovery would report them.
    var nameservers: [Nameserver] {
        [Nameserver(name: "ns1.lab.", addresses: [primary]), Nameserver(name: "ns2.lab.", addresses: [secondary])]
    }

    /// Polls `server` until it no longer serves `value` at `name` (the secondary learns of a
    /// deletion by NOTIFY or refresh); returns whether it is gone before `limit` polls ran out.
    func waitUntilGone(_ value: String, at name: String, on server: DNSServer, polls limit: Int = 100) async throws -> Bool {
        for _ in 0..<limit {
            if !(try await txtValues(at: name, on: server)).contains(value) { return true }
            try await Task.sleep(for: .milliseconds(250))
        }
        return false
    }
}

/// A provider for DNS01's own tests: RFC 2136 through `DNSUpdateClient`.
struct UpdateClientProvider: DNSProvider {
    var lab: LabDNS
    var code: String { "test-rfc2136" }
    func present(_ record: ChallengeRecord) async throws {
        try await lab.updater(for: record.zone).addTXT(name: record.fqdn, value: record.value, ttl: record.ttl, zone: record.zone)
    }
    func cleanUp(_ record: ChallengeRecord) async throws {
        try await lab.updater(for: record.zone).deleteTXT(name: record.fqdn, value: record.value, zone: record.zone)
    }
}

/// Collects events from concurrent callbacks.
final class EventLog<Event: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var list: [Event] = []
    func append(_ event: Event) { lock.lock(); list.append(event); lock.unlock() }
    var events: [Event] { lock.lock(); defer { lock.unlock() }; return list }
}
