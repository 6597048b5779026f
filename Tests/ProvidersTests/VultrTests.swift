import DNS01
import Foundation
import Providers
import TestSupport
import Testing

/// The vultr adapter against the Vultr API v2 stand-in (lab/provider-apis/vultr.py), which
/// publishes into the lab's BIND primary.
@Suite(.lab) struct VultrTests {
    let token = "vu-\(UUID().uuidString)"

    func environment(_ lab: ProviderAPILab) -> [String: String] {
        lab.trust.merging(["VULTR_BASE_URL": lab.baseURL + "/v2", "VULTR_API_KEY": token]) { $1 }
    }

    @Test func conformance_AgainstVultrStandIn() async throws {
        let lab = try await ProviderAPILab("vultr", credentials: ["token": token])
        let environment = environment(lab)
        try await runProviderConformance(
            makeProvider: { try configuredProvider(environment, code: "vultr") },
            makeWrongProvider: { try configuredProvider(environment.merging(["VULTR_API_KEY": "wrong-\(UUID().uuidString)"]) { $1 }, code: "vultr") },
            makeUnreachableProvider: { try configuredProvider(environment.merging(["VULTR_BASE_URL": "https://127.0.0.9:1/v2"]) { $1 }, code: "vultr") },
            zone: lab.zone,
            nameservers: lab.nameservers.map { DNSServer(host: $0) },
            isClearCredentialError: { $0.hasPrefix("vultr: ") && $0.contains("answered 401: Invalid API token.") && $0.contains("in zone \(lab.zone).") })
        let requests = try await lab.requests()
        #expect(!requests.isEmpty)
        #expect(requests.allSatisfy { ($0["headers"] as? [String])?.contains("Authorization") == true })
        #expect(requests.allSatisfy { !"\($0["query"] ?? "")\($0["body"] ?? "")".contains(token) })
    }

    @Test func cleanupFollowsTheCursorToALaterPage_AgainstVultrStandIn() async throws {
        // The stand-in answers one record per page, so the third value is two cursors away.
        let lab = try await ProviderAPILab("vultr", credentials: ["token": token, "page_cap": "1"])
        let provider = try configuredProvider(environment(lab), code: "vultr")
        let fqdn = "_acme-challenge.\(uniqueLabel("vup")).\(lab.zone)"
        let records = (1...3).map { ChallengeRecord(fqdn: fqdn, zone: lab.zone, value: "page\($0)-\(UUID().uuidString.prefix(8))", ttl: 120) }
        for record in records { try await provider.present(record) }
        try await provider.cleanUp(records[2])
        #expect(Set(try LabDNS.txt(fqdn, at: lab.nameservers[0])) == Set(records[0...1].map(\.value)))
        let queries = try await lab.requests().filter { ($0["path"] as? String)?.hasSuffix("/records") == true && $0["method"] as? String == "GET" }.compactMap { $0["query"] as? String }
        #expect(queries.filter { $0.contains("cursor=") }.count >= 2, "the next cursors were not followed: \(queries)")
        for record in records[0...1] { try await provider.cleanUp(record) }
        #expect(try LabDNS.txt(fqdn, at: lab.nameservers[0]).isEmpty)
    }

    @Test func rateLimitsAreWaitedOutAsRetryAfterSays_AgainstVultrStandIn() async throws {
        let lab = try await ProviderAPILab("vultr", credentials: ["token": token])
        let provider = try configuredProvider(environment(lab), code: "vultr")
        try await lab.fault(status: 429, count: 2, headers: ["Retry-After": "1"])
        let record = ChallengeRecord(fqdn: "_acme-challenge.\(uniqueLabel("vur")).\(lab.zone)", zone: lab.zone, value: "limited-\(UUID().uuidString.prefix(8))", ttl: 120)
        let started = ContinuousClock.now
        try await provider.present(record)
        #expect(ContinuousClock.now - started >= .seconds(2), "the two Retry-After: 1 answers were not waited out")
        #expect(try LabDNS.txt(record.fqdn, at: lab.nameservers[0]) == [record.value])
        try await provider.cleanUp(record)
    }

    @Test func aMissingKeyIsNamed() {
        let error = #expect(throws: ProviderError.self) { try configuredProvider([:], code: "vultr") }
        #expect(error?.message.contains("missing VULTR_API_KEY") == true)
    }
}
