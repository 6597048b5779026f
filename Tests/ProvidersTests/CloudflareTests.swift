import DNS01
import Foundation
import Providers
import TestSupport
import Testing

/// The cloudflare adapter against the Cloudflare API stand-in (lab/provider-apis/cloudflare.py),
/// which publishes into the lab's BIND primary (and so its Knot secondary).
@Suite(.lab) struct CloudflareTests {
    let token = "cf-\(UUID().uuidString)"

    func environment(_ lab: ProviderAPILab, _ extra: [String: String] = [:]) -> [String: String] {
        lab.trust.merging(["CLOUDFLARE_BASE_URL": lab.baseURL + "/client/v4", "CLOUDFLARE_DNS_API_TOKEN": token]) { $1 }.merging(extra) { $1 }
    }

    @Test func conformance_AgainstCloudflareStandIn() async throws {
        let lab = try await ProviderAPILab("cloudflare", credentials: ["token": token])
        let environment = environment(lab)
        try await runProviderConformance(
            makeProvider: { try configuredProvider(environment, code: "cloudflare") },
            makeWrongProvider: { try configuredProvider(environment.merging(["CLOUDFLARE_DNS_API_TOKEN": "wrong-\(UUID().uuidString)"]) { $1 }, code: "cloudflare") },
            makeUnreachableProvider: { try configuredProvider(environment.merging(["CLOUDFLARE_BASE_URL": "https://127.0.0.9:1/client/v4"]) { $1 }, code: "cloudflare") },
            zone: lab.zone,
            nameservers: lab.nameservers.map { DNSServer(host: $0) },
            isClearCredentialError: { $0.hasPrefix("cloudflare: ") && $0.contains("403") && $0.contains("Invalid access token") && $0.contains("in zone \(lab.zone).") })
        // Every request carried the token as a Bearer header, and no request carried it elsewhere.
        let requests = try await lab.requests()
        #expect(!requests.isEmpty)
        #expect(requests.allSatisfy { ($0["headers"] as? [String])?.contains("Authorization") == true })
        #expect(requests.allSatisfy { !"\($0["query"] ?? "")\($0["body"] ?? "")".contains(token) })
    }

    @Test func theLegacyEmailAndGlobalKeyWork_AgainstCloudflareStandIn() async throws {
        let key = "key-\(UUID().uuidString)"
        let lab = try await ProviderAPILab("cloudflare", credentials: ["email": "ops@example.test", "key": key])
        var environment = environment(lab, ["CLOUDFLARE_EMAIL": "ops@example.test", "CLOUDFLARE_API_KEY": key])
        environment["CLOUDFLARE_DNS_API_TOKEN"] = nil
        let provider = try configuredProvider(environment, code: "cloudflare")
        let record = ChallengeRecord(fqdn: "_acme-challenge.\(uniqueLabel("cfk")).\(lab.zone)", zone: lab.zone, value: "legacy-\(UUID().uuidString.prefix(8))", ttl: 60)
        try await provider.present(record)
        #expect(try LabDNS.txt(record.fqdn, at: lab.nameservers[0]).contains(record.value))
        try await provider.cleanUp(record)
        #expect(try LabDNS.txt(record.fqdn, at: lab.nameservers[0]).isEmpty)
    }

    @Test func rateLimitsAreWaitedOutAsRetryAfterSays_AgainstCloudflareStandIn() async throws {
        let lab = try await ProviderAPILab("cloudflare", credentials: ["token": token])
        let provider = try configuredProvider(environment(lab), code: "cloudflare")
        try await lab.fault(status: 429, count: 2, headers: ["Retry-After": "1"])
        let record = ChallengeRecord(fqdn: "_acme-challenge.\(uniqueLabel("cfr")).\(lab.zone)", zone: lab.zone, value: "limited-\(UUID().uuidString.prefix(8))", ttl: 60)
        let started = ContinuousClock.now
        try await provider.present(record)
        #expect(ContinuousClock.now - started >= .seconds(2), "the two Retry-After: 1 answers were not waited out")
        try await provider.cleanUp(record)
        // The first two requests got 429 and were sent again.
        let paths = try await lab.requests().compactMap { $0["path"] as? String }
        #expect(paths.prefix(3) == ["/client/v4/zones", "/client/v4/zones", "/client/v4/zones"])
    }

    @Test func aMissingTokenIsNamedWithItsAlternatives() {
        let error = #expect(throws: ProviderError.self) { try configuredProvider(["CLOUDFLARE_EMAIL": "ops@example.test"], code: "cloudflare") }
        #expect(error?.message.contains("missing CLOUDFLARE_API_KEY (CLOUDFLARE_EMAIL is set), or CLOUDFLARE_DNS_API_TOKEN") == true)
    }
}
