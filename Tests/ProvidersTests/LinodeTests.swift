import DNS01
import Foundation
import Providers
import TestSupport
import Testing

/// The linode adapter against the Linode API v4 stand-in (lab/provider-apis/linode.py), which
/// publishes into the lab's BIND primary.
@Suite(.lab) struct LinodeTests {
    let token = "ln-\(UUID().uuidString)"

    func environment(_ lab: ProviderAPILab) -> [String: String] {
        lab.trust.merging(["LINODE_BASE_URL": lab.baseURL + "/v4", "LINODE_TOKEN": token]) { $1 }
    }

    @Test func conformance_AgainstLinodeStandIn() async throws {
        let lab = try await ProviderAPILab("linode", credentials: ["token": token])
        let environment = environment(lab)
        try await runProviderConformance(
            makeProvider: { try configuredProvider(environment, code: "linode") },
            makeWrongProvider: { try configuredProvider(environment.merging(["LINODE_TOKEN": "wrong-\(UUID().uuidString)"]) { $1 }, code: "linode") },
            makeUnreachableProvider: { try configuredProvider(environment.merging(["LINODE_BASE_URL": "https://127.0.0.9:1/v4"]) { $1 }, code: "linode") },
            zone: lab.zone,
            nameservers: lab.nameservers.map { DNSServer(host: $0) },
            // Linode's errors are {"errors": [{"reason": …}]}: the reason itself is quoted, not the JSON.
            isClearCredentialError: { $0.hasPrefix("linode: ") && $0.contains("answered 401: Invalid Token (") && $0.contains("in zone \(lab.zone).") })
        let requests = try await lab.requests()
        #expect(!requests.isEmpty)
        #expect(requests.allSatisfy { ($0["headers"] as? [String])?.contains("Authorization") == true })
        #expect(requests.allSatisfy { !"\($0["query"] ?? "")\($0["body"] ?? "")".contains(token) })
        // The domain is looked up by name through X-Filter, not by reading every domain.
        #expect(requests.filter { $0["path"] as? String == "/v4/domains" }.allSatisfy { ($0["headers"] as? [String])?.contains("X-Filter") == true })
    }

    @Test func cleanupFindsAValueOnALaterPage_AgainstLinodeStandIn() async throws {
        // The stand-in answers one record per page, so the third value is on page 3.
        let lab = try await ProviderAPILab("linode", credentials: ["token": token, "page_cap": "1"])
        let provider = try configuredProvider(environment(lab), code: "linode")
        let fqdn = "_acme-challenge.\(uniqueLabel("lnp")).\(lab.zone)"
        let records = (1...3).map { ChallengeRecord(fqdn: fqdn, zone: lab.zone, value: "page\($0)-\(UUID().uuidString.prefix(8))", ttl: 300) }
        for record in records { try await provider.present(record) }
        try await provider.cleanUp(records[2])
        #expect(Set(try LabDNS.txt(fqdn, at: lab.nameservers[0])) == Set(records[0...1].map(\.value)))
        let queries = try await lab.requests().filter { ($0["path"] as? String)?.hasSuffix("/records") == true && $0["method"] as? String == "GET" }.compactMap { $0["query"] as? String }
        #expect(queries.contains { $0.contains("page=3") }, "the later pages were not read: \(queries)")
        for record in records[0...1] { try await provider.cleanUp(record) }
        #expect(try LabDNS.txt(fqdn, at: lab.nameservers[0]).isEmpty)
    }

    @Test func rateLimitsAreWaitedOutAsRetryAfterSays_AgainstLinodeStandIn() async throws {
        let lab = try await ProviderAPILab("linode", credentials: ["token": token])
        let provider = try configuredProvider(environment(lab), code: "linode")
        try await lab.fault(status: 429, count: 2, headers: ["Retry-After": "1"])
        let record = ChallengeRecord(fqdn: "_acme-challenge.\(uniqueLabel("lnr")).\(lab.zone)", zone: lab.zone, value: "limited-\(UUID().uuidString.prefix(8))", ttl: 300)
        let started = ContinuousClock.now
        try await provider.present(record)
        #expect(ContinuousClock.now - started >= .seconds(2), "the two Retry-After: 1 answers were not waited out")
        #expect(try LabDNS.txt(record.fqdn, at: lab.nameservers[0]) == [record.value])
        try await provider.cleanUp(record)
    }

    @Test func aMissingTokenIsNamed() {
        let error = #expect(throws: ProviderError.self) { try configuredProvider([:], code: "linode") }
        #expect(error?.message.contains("missing LINODE_TOKEN") == true)
    }
}
