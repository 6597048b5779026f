import DNS01
import Foundation
import Providers
import TestSupport
import Testing

/// The digitalocean adapter against the DigitalOcean API stand-in (lab/provider-apis/digitalocean.py),
/// which publishes into the lab's BIND primary.
@Suite(.lab) struct DigitalOceanTests {
    let token = "do-\(UUID().uuidString)"

    func environment(_ lab: ProviderAPILab) -> [String: String] {
        lab.trust.merging(["DO_BASE_URL": lab.baseURL, "DO_AUTH_TOKEN": token]) { $1 }
    }

    @Test func conformance_AgainstDigitalOceanStandIn() async throws {
        let lab = try await ProviderAPILab("digitalocean", credentials: ["token": token])
        let environment = environment(lab)
        try await runProviderConformance(
            makeProvider: { try configuredProvider(environment, code: "digitalocean") },
            makeWrongProvider: { try configuredProvider(environment.merging(["DO_AUTH_TOKEN": "wrong-\(UUID().uuidString)"]) { $1 }, code: "digitalocean") },
            makeUnreachableProvider: { try configuredProvider(environment.merging(["DO_BASE_URL": "https://127.0.0.9:1"]) { $1 }, code: "digitalocean") },
            zone: lab.zone,
            nameservers: lab.nameservers.map { DNSServer(host: $0) },
            isClearCredentialError: { $0.hasPrefix("digitalocean: ") && $0.contains("401") && $0.contains("Unable to authenticate you") && $0.contains("in zone \(lab.zone).") })
        let requests = try await lab.requests()
        #expect(!requests.isEmpty)
        #expect(requests.allSatisfy { ($0["headers"] as? [String])?.contains("Authorization") == true })
        #expect(requests.allSatisfy { !"\($0["query"] ?? "")\($0["body"] ?? "")".contains(token) })
    }

    @Test func cleanupFindsAValueOnALaterPage_AgainstDigitalOceanStandIn() async throws {
        // The stand-in answers one record per page, so the third value is on page 3.
        let lab = try await ProviderAPILab("digitalocean", credentials: ["token": token, "page_cap": "1"])
        let provider = try configuredProvider(environment(lab), code: "digitalocean")
        let fqdn = "_acme-challenge.\(uniqueLabel("dop")).\(lab.zone)"
        let records = (1...3).map { ChallengeRecord(fqdn: fqdn, zone: lab.zone, value: "page\($0)-\(UUID().uuidString.prefix(8))", ttl: 30) }
        for record in records { try await provider.present(record) }
        try await provider.cleanUp(records[2])
        #expect(Set(try LabDNS.txt(fqdn, at: lab.nameservers[0])) == Set(records[0...1].map(\.value)))
        let pages = try await lab.requests().filter { $0["method"] as? String == "GET" }.compactMap { $0["query"] as? String }
        #expect(pages.contains { $0.contains("page=3") }, "the next-page links were not followed: \(pages)")
        for record in records[0...1] { try await provider.cleanUp(record) }
        #expect(try LabDNS.txt(fqdn, at: lab.nameservers[0]).isEmpty)
    }

    @Test func rateLimitsAreWaitedOutAsRetryAfterSays_AgainstDigitalOceanStandIn() async throws {
        let lab = try await ProviderAPILab("digitalocean", credentials: ["token": token])
        let provider = try configuredProvider(environment(lab), code: "digitalocean")
        try await lab.fault(status: 429, count: 2, headers: ["Retry-After": "1"])
        let record = ChallengeRecord(fqdn: "_acme-challenge.\(uniqueLabel("dor")).\(lab.zone)", zone: lab.zone, value: "limited-\(UUID().uuidString.prefix(8))", ttl: 30)
        let started = ContinuousClock.now
        try await provider.present(record)
        #expect(ContinuousClock.now - started >= .seconds(2), "the two Retry-After: 1 answers were not waited out")
        #expect(try LabDNS.txt(record.fqdn, at: lab.nameservers[0]) == [record.value])
        try await provider.cleanUp(record)
    }

    @Test func legosAPIURLVariableIsHonoured_AgainstDigitalOceanStandIn() async throws {
        let lab = try await ProviderAPILab("digitalocean", credentials: ["token": token])
        var environment = environment(lab)
        environment["DO_BASE_URL"] = nil
        environment["DO_API_URL"] = lab.baseURL
        let provider = try configuredProvider(environment, code: "digitalocean")
        let record = ChallengeRecord(fqdn: "\(lab.zone)", zone: lab.zone, value: "apex-\(UUID().uuidString.prefix(8))", ttl: 30)
        try await provider.present(record)
        #expect(try LabDNS.txt(record.fqdn, at: lab.nameservers[0]).contains(record.value))
        try await provider.cleanUp(record)
        #expect(!(try LabDNS.txt(record.fqdn, at: lab.nameservers[0]).contains(record.value)))
        // The apex is written as "@", as DigitalOcean names it.
        #expect(try await lab.requests().contains { ($0["body"] as? String)?.contains("\"name\": \"@\"") == true || ($0["body"] as? String)?.contains("\"name\":\"@\"") == true })
    }

    @Test func aMissingTokenIsNamed() {
        let error = #expect(throws: ProviderError.self) { try configuredProvider([:], code: "digitalocean") }
        #expect(error?.message.contains("missing DO_AUTH_TOKEN") == true)
    }
}
