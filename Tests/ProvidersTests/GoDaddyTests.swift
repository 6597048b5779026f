import CertCore
import DNS01
import Foundation
import Providers
import TestSupport
import Testing

/// The godaddy adapter against the GoDaddy Domains API v1 stand-in (lab/provider-apis/godaddy.py),
/// which publishes into the lab's BIND primary.
@Suite(.lab) struct GoDaddyTests {
    let key = "gdk-\(UUID().uuidString)"
    let secret = "gds-\(UUID().uuidString)"

    func environment(_ lab: ProviderAPILab) -> [String: String] {
        lab.trust.merging(["GODADDY_BASE_URL": lab.baseURL, "GODADDY_API_KEY": key, "GODADDY_API_SECRET": secret]) { $1 }
    }

    func lab() async throws -> ProviderAPILab {
        try await ProviderAPILab("godaddy", credentials: ["key": key, "secret": secret])
    }

    @Test func conformance_AgainstGoDaddyStandIn() async throws {
        let lab = try await lab()
        let environment = environment(lab)
        try await runProviderConformance(
            makeProvider: { try configuredProvider(environment, code: "godaddy") },
            makeWrongProvider: { try configuredProvider(environment.merging(["GODADDY_API_SECRET": "wrong-\(UUID().uuidString)"]) { $1 }, code: "godaddy") },
            makeUnreachableProvider: { try configuredProvider(environment.merging(["GODADDY_BASE_URL": "https://127.0.0.9:1"]) { $1 }, code: "godaddy") },
            zone: lab.zone,
            nameservers: lab.nameservers.map { DNSServer(host: $0) },
            isClearCredentialError: { $0.hasPrefix("godaddy: ") && $0.contains("401") && $0.contains("Unable to authenticate request") && $0.contains("in zone \(lab.zone).") })
        let requests = try await lab.requests()
        #expect(!requests.isEmpty)
        #expect(requests.allSatisfy { ($0["headers"] as? [String])?.contains("Authorization") == true })
        #expect(requests.allSatisfy { !"\($0["query"] ?? "")\($0["body"] ?? "")".contains(secret) })
        // The last value of a name is removed with DELETE: the API refuses an empty PUT.
        #expect(requests.contains { $0["method"] as? String == "DELETE" })
    }

    @Test func aValueAnotherClientPutThereSurvivesPresentAndCleanUp_AgainstGoDaddyStandIn() async throws {
        let lab = try await lab()
        let provider = try configuredProvider(environment(lab), code: "godaddy")
        let label = uniqueLabel("gdo")
        let fqdn = "_acme-challenge.\(label).\(lab.zone)"
        let path = "/v1/domains/\(lab.zone)/records/TXT/_acme-challenge.\(label)"
        let other = ProviderAPIClient(provider: "godaddy", trustedBy: lab.trust, baseURL: lab.baseURL, headers: ["Authorization": "sso-key \(key):\(secret)"])
        try await other.send("PUT", path, json: [["data": .string("kept-\(label)"), "ttl": 3600]], doing: "seeding")
        let record = ChallengeRecord(fqdn: fqdn, zone: lab.zone, value: "ours-\(label)", ttl: 60)
        try await provider.present(record)
        #expect(Set(try LabDNS.txt(fqdn, at: lab.nameservers[0])) == ["kept-\(label)", "ours-\(label)"])
        try await provider.cleanUp(record)
        #expect(try LabDNS.txt(fqdn, at: lab.nameservers[0]) == ["kept-\(label)"])
        // The other client's TTL was written back as it was; ours was raised to GoDaddy's minimum.
        let puts = try await lab.requests().filter { $0["method"] as? String == "PUT" }.compactMap { $0["body"] as? String }
        #expect(puts.contains { $0.contains("ours-\(label)") && $0.contains("600") && $0.contains("3600") })
        try await other.send("DELETE", path, doing: "tidying")
    }

    @Test func theZoneApexIsNamedAt_AgainstGoDaddyStandIn() async throws {
        let lab = try await lab()
        let provider = try configuredProvider(environment(lab), code: "godaddy")
        let record = ChallengeRecord(fqdn: lab.zone, zone: lab.zone, value: "apex-\(uniqueLabel("gda"))", ttl: 60)
        try await provider.present(record)
        #expect(try LabDNS.txt(lab.zone, at: lab.nameservers[0]).contains(record.value))
        try await provider.cleanUp(record)
        #expect(try !LabDNS.txt(lab.zone, at: lab.nameservers[0]).contains(record.value))
        let paths = try await lab.requests().compactMap { $0["path"] as? String }
        #expect(!paths.isEmpty && paths.allSatisfy { $0 == "/v1/domains/\(lab.zone)/records/TXT/@" })
    }

    @Test func rateLimitsAreRetried_AgainstGoDaddyStandIn() async throws {
        let lab = try await lab()
        let provider = try configuredProvider(environment(lab), code: "godaddy")
        try await lab.fault(status: 429, count: 2, headers: ["Retry-After": "1"])
        let record = ChallengeRecord(fqdn: "_acme-challenge.\(uniqueLabel("gdr")).\(lab.zone)", zone: lab.zone, value: "limited-\(UUID().uuidString.prefix(8))", ttl: 60)
        try await provider.present(record)
        #expect(try LabDNS.txt(record.fqdn, at: lab.nameservers[0]).contains(record.value))
        try await provider.cleanUp(record)
        let methods = try await lab.requests().compactMap { $0["method"] as? String }
        #expect(methods.prefix(4) == ["GET", "GET", "GET", "PUT"])
    }

    @Test func aWriteAnotherClientUndidIsMergedAgain_AgainstGoDaddyStandIn() async throws {
        let lab = try await lab()
        let provider = try configuredProvider(environment(lab), code: "godaddy")
        // The first read, the PUT and the read-back are answered by the test, not stored: the
        // read-back shows a set without our value, as when another client replaced the set
        // right after our PUT.
        try await lab.fault(status: 200, count: 3)
        let record = ChallengeRecord(fqdn: "_acme-challenge.\(uniqueLabel("gdw")).\(lab.zone)", zone: lab.zone, value: "raced-\(UUID().uuidString.prefix(8))", ttl: 60)
        try await provider.present(record)
        #expect(try LabDNS.txt(record.fqdn, at: lab.nameservers[0]) == [record.value])
        let methods = try await lab.requests().compactMap { $0["method"] as? String }
        #expect(methods == ["GET", "PUT", "GET", "GET", "PUT", "GET"])
        try await provider.cleanUp(record)
    }

    @Test func bothCredentialsAreNamedWhenMissing() {
        let error = #expect(throws: ProviderError.self) { try configuredProvider([:], code: "godaddy") }
        #expect(error?.message.contains("GODADDY_API_KEY") == true && error?.message.contains("GODADDY_API_SECRET") == true)
    }
}
