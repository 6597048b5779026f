import DNS01
import Foundation
import Providers
import TestSupport
import Testing

/// The pdns adapter against the lab's PowerDNS (gsqlite3 backend, HTTP API on).
@Suite(.lab) struct PowerDNSTests {
    func environment() throws -> [String: String] {
        ["PDNS_API_URL": try Lab.require("LAB_PDNS_API_URL", component: "pdns"), "PDNS_API_KEY": try Lab.require("LAB_PDNS_API_KEY", component: "pdns")]
    }

    @Test func conformance_AgainstPowerDNS() async throws {
        let environment = try environment()
        let zone = try Lab.require("LAB_PDNS_ZONE", component: "pdns")
        let address = try Lab.require("LAB_PDNS_ADDRESS", component: "pdns")
        let port = Int(try Lab.require("LAB_DNS_PORT", component: "dns")) ?? 53
        try await runProviderConformance(
            makeProvider: { try configuredProvider(environment, code: "pdns") },
            makeWrongProvider: { try configuredProvider(environment.merging(["PDNS_API_KEY": "wrong-\(UUID().uuidString)"]) { $1 }, code: "pdns") },
            makeUnreachableProvider: { try configuredProvider(environment.merging(["PDNS_API_URL": "http://127.0.0.9:1"]) { $1 }, code: "pdns") },
            zone: zone,
            nameservers: [DNSServer(host: address, port: port)],
            isClearCredentialError: { $0.hasPrefix("pdns: ") && $0.contains("401") && $0.contains("in zone \(zone)") })
    }

    @Test func aZoneTheServerDoesNotHaveIsNamedWithTheAPIsWords_AgainstPowerDNS() async throws {
        let provider = try configuredProvider(try environment(), code: "pdns")
        let error = await #expect(throws: ProviderError.self) {
            try await provider.present(ChallengeRecord(fqdn: "_acme-challenge.x.no-such-zone.test", zone: "no-such-zone.test", value: "v", ttl: 60))
        }
        #expect(error?.message.contains("in zone no-such-zone.test.") == true)
        #expect(error?.message.contains("404") == true, "\(error?.message ?? "")")
    }

    @Test func missingAndMalformedSettingsAreReportedTogether() {
        let error = #expect(throws: ProviderError.self) { try configuredProvider(["PDNS_API_URL": "ftp:/nowhere", "PDNS_TTL": "x"], code: "pdns") }
        let message = error?.message ?? ""
        #expect(message.contains("missing PDNS_API_KEY"))
        #expect(message.contains("PDNS_API_URL=ftp:/nowhere is not an http(s) URL"))
        #expect(message.contains("PDNS_TTL=x"))
    }
}
