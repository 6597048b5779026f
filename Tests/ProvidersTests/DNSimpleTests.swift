import CertCore
import DNS01
import Foundation
import Providers
import TestSupport
import Testing

/// The dnsimple adapter against the DNSimple API v2 stand-in (lab/provider-apis/dnsimple.py),
/// which publishes into the lab's BIND primary.
@Suite(.lab) struct DNSimpleTests {
    let token = "dnsimple-\(UUID().uuidString)"

    func environment(_ lab: ProviderAPILab) -> [String: String] {
        lab.trust.merging(["DNSIMPLE_BASE_URL": lab.baseURL, "DNSIMPLE_OAUTH_TOKEN": token]) { $1 }
    }

    @Test func conformance_AgainstDNSimpleStandIn() async throws {
        let lab = try await ProviderAPILab("dnsimple", credentials: ["token": token])
        let environment = environment(lab)
        try await runProviderConformance(
            makeProvider: { try configuredProvider(environment, code: "dnsimple") },
            makeWrongProvider: { try configuredProvider(environment.merging(["DNSIMPLE_OAUTH_TOKEN": "wrong-\(UUID().uuidString)"]) { $1 }, code: "dnsimple") },
            makeUnreachableProvider: { try configuredProvider(environment.merging(["DNSIMPLE_BASE_URL": "https://127.0.0.9:1"]) { $1 }, code: "dnsimple") },
            zone: lab.zone,
            nameservers: lab.nameservers.map { DNSServer(host: $0) },
            isClearCredentialError: { $0.hasPrefix("dnsimple: ") && $0.contains("401") && $0.contains("Authentication failed") && $0.contains("in zone \(lab.zone).") })
        let requests = try await lab.requests()
        #expect(!requests.isEmpty)
        #expect(requests.allSatisfy { ($0["headers"] as? [String])?.contains("Authorization") == true })
        #expect(requests.allSatisfy { !"\($0["query"] ?? "")\($0["body"] ?? "")".contains(token) })
        // whoami and the zone are looked up once per adapter, not once per call.
        #expect(requests.filter { $0["path"] as? String == "/v2/whoami" }.count == 3, "one whoami per adapter (two adapters and the refused one)")
    }

    @Test func aUserTokenIsRefusedWithWhatToUseInstead_AgainstDNSimpleStandIn() async throws {
        let lab = try await ProviderAPILab("dnsimple", credentials: ["token": "unused-\(UUID().uuidString)", "user_token": token])
        let provider = try configuredProvider(environment(lab), code: "dnsimple")
        let record = ChallengeRecord(fqdn: "_acme-challenge.\(uniqueLabel("dsu")).\(lab.zone)", zone: lab.zone, value: "user-\(UUID().uuidString.prefix(8))", ttl: 60)
        let error = await #expect(throws: ProviderError.self) { try await provider.present(record) }
        #expect(error?.code == .credentialsRefused)
        #expect(error?.message.contains("user token") == true && error?.message.contains("account token") == true)
    }

    @Test func anApexValueAndAValueAnotherClientAddedAreTreatedApart_AgainstDNSimpleStandIn() async throws {
        let lab = try await ProviderAPILab("dnsimple", credentials: ["token": token])
        let provider = try configuredProvider(environment(lab), code: "dnsimple")
        let label = uniqueLabel("dsa")
        let other = ProviderAPIClient(provider: "dnsimple", trustedBy: lab.trust, baseURL: lab.baseURL, headers: ["Authorization": "Bearer \(token)"])
        // Another client stored its value quoted, as DNSimple shows TXT content.
        try await other.send("POST", "/v2/1385/zones/\(lab.zone)/records", json: ["name": "", "type": "TXT", "content": .string("\"kept-\(label)\""), "ttl": 300], doing: "seeding")
        let record = ChallengeRecord(fqdn: lab.zone, zone: lab.zone, value: "apex-\(label)", ttl: 60)
        try await provider.present(record)
        try await provider.present(record)
        #expect(Set(try LabDNS.txt(lab.zone, at: lab.nameservers[0])).isSuperset(of: ["kept-\(label)", "apex-\(label)"]))
        try await provider.cleanUp(record)
        let left = try LabDNS.txt(lab.zone, at: lab.nameservers[0])
        #expect(left.contains("kept-\(label)") && !left.contains("apex-\(label)"))
        let creates = try await lab.requests().filter { $0["method"] as? String == "POST" }
        #expect(creates.count == 2, "presenting twice created the record twice")
        let leftover = ChallengeRecord(fqdn: lab.zone, zone: lab.zone, value: "kept-\(label)", ttl: 60)
        try await provider.cleanUp(leftover)
        #expect(try !LabDNS.txt(lab.zone, at: lab.nameservers[0]).contains("kept-\(label)"), "a quoted value was not recognised")
    }

    @Test func theTokenIsNamedWhenMissing() {
        let error = #expect(throws: ProviderError.self) { try configuredProvider([:], code: "dnsimple") }
        #expect(error?.message.contains("DNSIMPLE_OAUTH_TOKEN") == true)
    }
}
