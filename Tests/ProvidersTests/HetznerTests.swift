import DNS01
import Foundation
import Providers
import TestSupport
import Testing

/// The hetzner adapter against the Hetzner DNS API stand-in (lab/provider-apis/hetzner.py),
/// which publishes into the lab's BIND primary.
@Suite(.lab) struct HetznerTests {
    let key = "hz-\(UUID().uuidString)"

    func environment(_ lab: ProviderAPILab) -> [String: String] {
        lab.trust.merging(["HETZNER_BASE_URL": lab.baseURL + "/api/v1", "HETZNER_API_KEY": key]) { $1 }
    }

    @Test func conformance_AgainstHetznerStandIn() async throws {
        let lab = try await ProviderAPILab("hetzner", credentials: ["token": key])
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
        let lab = try await ProviderAPILab("hetzner", credentials: ["token": key, "page_cap": "1"])
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
        let lab = try await ProviderAPILab("hetzner", credentials: ["token": key])
        let provider = try configuredProvider(environment(lab), code: "hetzner")
        let record = ChallengeRecord(fqdn: "_acme-challenge.elsewhere.test.", zone: "elsewhere.test.", value: "nozone-\(UUID().uuidString.prefix(8))", ttl: 60)
        let error = await #expect(throws: ProviderError.self) { try await provider.present(record) }
        #expect(error?.code == .rejected)
        #expect(error?.message.contains("the account has no zone named elsewhere.test") == true)
    }

    @Test func rateLimitsAreWaitedOutAsRetryAfterSays_AgainstHetznerStandIn() async throws {
        let lab = try await ProviderAPILab("hetzner", credentials: ["token": key])
        let provider = try configuredProvider(environment(lab), code: "hetzner")
        try await lab.fault(status: 429, count: 2, headers: ["Retry-After": "1"])
        let record = ChallengeRecord(fqdn: "_acme-challenge.\(uniqueLabel("hzr")).\(lab.zone)", zone: lab.zone, value: "limited-\(UUID().uuidString.prefix(8))", ttl: 60)
        let started = ContinuousClock.now
        try await provider.present(record)
        #expect(ContinuousClock.now - started >= .seconds(2), "the two Retry-After: 1 answers were not waited out")
        #expect(try LabDNS.txt(record.fqdn, at: lab.nameservers[0]) == [record.value])
        try await provider.cleanUp(record)
    }

    // The Hetzner Cloud API (HETZNER_API_TOKEN), which replaces the DNS Console API.

    func cloudEnvironment(_ lab: ProviderAPILab, _ token: String) -> [String: String] {
        lab.trust.merging(["HETZNER_BASE_URL": lab.baseURL + "/v1", "HETZNER_API_TOKEN": token]) { $1 }
    }

    @Test func conformanceThroughTheCloudAPI_AgainstHetznerStandIn() async throws {
        let token = "hc-\(UUID().uuidString)"
        let lab = try await ProviderAPILab("hetzner", credentials: ["cloud_token": token])
        let environment = cloudEnvironment(lab, token)
        try await runProviderConformance(
            makeProvider: { try configuredProvider(environment, code: "hetzner") },
            makeWrongProvider: { try configuredProvider(environment.merging(["HETZNER_API_TOKEN": "wrong-\(UUID().uuidString)"]) { $1 }, code: "hetzner") },
            makeUnreachableProvider: { try configuredProvider(environment.merging(["HETZNER_BASE_URL": "https://127.0.0.9:1/v1"]) { $1 }, code: "hetzner") },
            zone: lab.zone,
            nameservers: lab.nameservers.map { DNSServer(host: $0) },
            isClearCredentialError: { $0.hasPrefix("hetzner: ") && $0.contains("answered 401: unable to authenticate") && $0.contains("in zone \(lab.zone).") })
        let requests = try await lab.requests()
        #expect(requests.allSatisfy { ($0["path"] as? String)?.hasPrefix("/v1/") == true }, "a DNS Console API call was made with a Cloud token")
        #expect(requests.allSatisfy { !"\($0["query"] ?? "")\($0["body"] ?? "")".contains(token) })
    }

    @Test func eachCloudActionIsWaitedForUntilItSucceeds_AgainstHetznerStandIn() async throws {
        let token = "hc-\(UUID().uuidString)"
        let lab = try await ProviderAPILab("hetzner", credentials: ["cloud_token": token])
        let provider = try configuredProvider(cloudEnvironment(lab, token), code: "hetzner")
        let record = ChallengeRecord(fqdn: "_acme-challenge.\(uniqueLabel("hzw")).\(lab.zone)", zone: lab.zone, value: "waited-\(UUID().uuidString.prefix(8))", ttl: 60)
        try await provider.present(record)
        try await provider.cleanUp(record)
        // The stand-in reports each action running at its first read: both were read again.
        let calls = try await lab.requests().compactMap { ($0["path"] as? String).map { $0.hasPrefix("/v1/actions/") ? "action" : String($0.split(separator: "/").last ?? "") } }
        #expect(calls == ["add_records", "action", "action", "remove_records", "action", "action"])
        #expect(try LabDNS.txt(record.fqdn, at: lab.nameservers[0]).isEmpty)
    }

    @Test func aFailedCloudActionFailsWithItsReason_AgainstHetznerStandIn() async throws {
        let token = "hc-\(UUID().uuidString)"
        let lab = try await ProviderAPILab("hetzner", credentials: ["cloud_token": token, "fail_actions": "1"])
        let provider = try configuredProvider(cloudEnvironment(lab, token), code: "hetzner")
        let record = ChallengeRecord(fqdn: "_acme-challenge.\(uniqueLabel("hzf")).\(lab.zone)", zone: lab.zone, value: "failed-\(UUID().uuidString.prefix(8))", ttl: 60)
        let error = await #expect(throws: ProviderError.self) { try await provider.present(record) }
        #expect(error?.code == .rejected)
        #expect(error?.message.contains("failed: the stand-in was told to fail actions") == true)
    }

    @Test func bothTokensAtOnceAreRefusedAsAmbiguous() {
        let error = #expect(throws: ProviderError.self) {
            try configuredProvider(["HETZNER_API_TOKEN": "cloud-\(UUID().uuidString)", "HETZNER_API_KEY": "console-\(UUID().uuidString)"], code: "hetzner")
        }
        #expect(error?.code == .configuration)
        #expect(error?.message.contains("both HETZNER_API_TOKEN (Hetzner Cloud API) and HETZNER_API_KEY (DNS Console API) are set") == true)
    }

    @Test func aMissingKeyIsNamed() {
        let error = #expect(throws: ProviderError.self) { try configuredProvider([:], code: "hetzner") }
        #expect(error?.message.contains("missing HETZNER_API_TOKEN (Hetzner Cloud API) or HETZNER_API_KEY (DNS Console API)") == true)
    }
}
