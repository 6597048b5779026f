import DNS01
import Foundation
import Providers
import TestSupport
import Testing

/// The hetzner adapter against the Hetzner DNS API stand-in (lab/provider-apis/hetzner.py),
/// which publishes into the lab's BIND primary.
@Suite struct HetznerTests {
    let key = "hz-\(UUID().uuidString)"

    func environment(_ lab: ProviderAPILab) -> [String: String] {
        lab.trust.merging(["HETZNER_BASE_URL": lab.baseURL + "/api/v1", "HETZNER_API_KEY": key]) { $1 }
    }

    @Test func conformance_AgainstHetznerStandIn() async throws {
        let lab = try ProviderAPILab("hetzner", credentials: ["token": key])
        let environment = environment(lab)
        try await runProviderConformance(
            makeProvider: { try configuredProvider(environment, code: "hetzner") },
            makeWrongProvider: { try configuredProvider(environment.merging(["HETZNER_API_KEY": "wrong-\(UUID().uuidString)"]) { $1 }, code: "hetzner") },
            makeUnreachableProvider: { try configuredProvider(environment.merging(["HETZNER_BASE_URL": "https://127.0.0.9:1/api/v1"]) { $1 }, code: "hetzner") },
            zone: lab.zone,
            nameservers: lab.nameservers.map { DNSServer(host: $0) },
            isClearCredentialError: { $0.hasPrefix("hetzner: ") && $0.contains("401") && $0.contains("Invalid authentication credentials") && $0.contains("in zone \(lab.zone).") })
        let requests = try await lab.requests()
        #expect(!requests.isEmpty)
        #expect(requests.allSatisfy { ($0["headers"] as? [String])?.contains("Auth-API-Token") == true })
        #expect(requests.allSatisfy { !"\($0["query"] ?? "")\($0["body"] ?? "")".contains(key) })
    }

    @Test func cleanupFindsAValueOnALaterPage_AgainstHetznerStandIn() async throws {
        // The stand-in answers one record per page, so the third value is on page 3.
        let lab = try ProviderAPILab("hetzner", credentials: ["token": key, "page_cap": "1"])
        let provider = try configuredProvider(environment(lab), code: "hetzner")
        let fqdn = "_acme-challenge.\(uniqueLabel("hzp")).\(lab.zone)"
        let records = (1...3).map { ChallengeRecord(fqdn: fqdn, zone: lab.zone, value: "page\($0)-\(UUID().uuidString.prefix(8))", ttl: 60) }
        for record in records { try await provider.present(record) }
        try await provider.cleanUp(records[2])
        #expect(Set(try LabDNS.txt(fqdn, at: lab.nameservers[0])) == Set(records[0...1].map(\.value)))
        let queries = try await lab.requests().filter { $0["path"] as? String == "/api/v1/records" && $0["method"] as? String == "GET" }.compactMap { $0["query"] as? String }
        #expect(queries.contains { $0.contains("page=3") }, "the later pages were not read: \(queries)")
        for record in records[0...1] { try await provider.cleanUp(record) }
        #expect(try LabDNS.txt(fqdn, at: lab.nameservers[0]).isEmpty)
    }

    @Test func aZoneTheAccountLacksIsNamed_AgainstHetznerStandIn() async throws {
        let lab = try ProviderAPILab("hetzner", credentials: ["token": key])
        let provider = try configuredProvider(environment(lab), code: "hetzner")
        let record = ChallengeRecord(fqdn: "_acme-challenge.elsewhere.test.", zone: "elsewhere.test.", value: "nozone-\(UUID().uuidString.prefix(8))", ttl: 60)
        let error = await #expect(throws: ProviderError.self) { try await provider.present(record) }
        #expect(error?.code == .rejected)
        #expect(error?.message.contains("the account has no zone named elsewhere.test") == true)
    }

    @Test func rateLimitsAreWaitedOutAsRetryAfterSays_AgainstHetznerStandIn() async throws {
        let lab = try ProviderAPILab("hetzner", credentials: ["token": key])
        let provider = try configuredProvider(environment(lab), code: "hetzner")
        try await lab.fault(status: 429, count: 2, headers: ["Retry-After": "1"])
        let record = ChallengeRecord(fqdn: "_acme-challenge.\(uniqueLabel("hzr")).\(lab.zone)", zone: lab.zone, value: "limited-\(UUID().uuidString.prefix(8))", ttl: 60)
        let started = ContinuousClock.now
        try await provider.present(record)
        #expect(ContinuousClock.now - started >= .seconds(2), "the two Retry-After: 1 answers were not waited out")
        #expect(try LabDNS.txt(record.fqdn, at: lab.nameservers[0]) == [record.value])
        try await provider.cleanUp(record)
    }

    @Test func aCloudAPITokenAloneIsExplainedNotCalledMissing() {
        let error = #expect(throws: ProviderError.self) { try configuredProvider(["HETZNER_API_TOKEN": "cloud-\(UUID().uuidString)"], code: "hetzner") }
        #expect(error?.code == .configuration)
        #expect(error?.message.contains("HETZNER_API_TOKEN (a Hetzner Cloud API token) is not supported") == true)
        #expect(error?.message.contains("missing") == false)
    }

    @Test func aMissingKeyIsNamed() {
        let error = #expect(throws: ProviderError.self) { try configuredProvider([:], code: "hetzner") }
        #expect(error?.message.contains("missing HETZNER_API_KEY") == true)
    }
}
