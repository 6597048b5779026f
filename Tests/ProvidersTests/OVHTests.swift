import CertCore
import DNS01
import Foundation
import Providers
import TestSupport
import Testing

/// The ovh adapter against the OVH API stand-in (lab/provider-apis/ovh.py), which verifies each
/// request's signature and timestamp and publishes into the lab's BIND primary on refresh.
@Suite(.lab) struct OVHTests {
    let applicationKey = "ak-\(UUID().uuidString.prefix(16))"
    let applicationSecret = "as-\(UUID().uuidString)"
    let consumerKey = "ck-\(UUID().uuidString)"

    func lab(clockSkew: Int = 0) async throws -> ProviderAPILab {
        try await ProviderAPILab("ovh", credentials: ["application_key": applicationKey, "application_secret": applicationSecret, "consumer_key": consumerKey, "clock_skew": String(clockSkew)])
    }

    func environment(_ lab: ProviderAPILab) -> [String: String] {
        lab.trust.merging(["OVH_ENDPOINT": lab.baseURL + "/1.0", "OVH_APPLICATION_KEY": applicationKey, "OVH_APPLICATION_SECRET": applicationSecret, "OVH_CONSUMER_KEY": consumerKey]) { $1 }
    }

    @Test func conformance_AgainstOVHStandIn() async throws {
        let lab = try await lab()
        let environment = environment(lab)
        try await runProviderConformance(
            makeProvider: { try configuredProvider(environment, code: "ovh") },
            makeWrongProvider: { try configuredProvider(environment.merging(["OVH_CONSUMER_KEY": "ck-wrong-\(UUID().uuidString)"]) { $1 }, code: "ovh") },
            makeUnreachableProvider: { try configuredProvider(environment.merging(["OVH_ENDPOINT": "https://127.0.0.9:1/1.0"]) { $1 }, code: "ovh") },
            zone: lab.zone,
            nameservers: lab.nameservers.map { DNSServer(host: $0) },
            isClearCredentialError: { $0.hasPrefix("ovh: ") && $0.contains("403") && $0.contains("This credential does not exist") && $0.contains("in zone \(lab.zone).") })
        // The secret signs; it is never sent.
        let requests = try await lab.requests()
        #expect(requests.filter { $0["path"] as? String != "/1.0/auth/time" }.allSatisfy { ($0["headers"] as? [String])?.contains("X-Ovh-Signature") == true })
        #expect(requests.allSatisfy { !"\($0["query"] ?? "")\($0["body"] ?? "")".contains(applicationSecret) })
        // Every change was applied with a refresh.
        #expect(requests.contains { ($0["path"] as? String)?.hasSuffix("/refresh") == true })
    }

    @Test func timestampsFollowOVHsClockNotThisMachines_AgainstOVHStandIn() async throws {
        // The stand-in's clock is an hour ahead: a timestamp from this machine's clock is out of
        // its window, one from /auth/time is not.
        let lab = try await lab(clockSkew: 3600)
        let provider = try configuredProvider(environment(lab), code: "ovh")
        let record = ChallengeRecord(fqdn: "_acme-challenge.\(uniqueLabel("ovt")).\(lab.zone)", zone: lab.zone, value: "skewed-\(UUID().uuidString.prefix(8))", ttl: 60)
        try await provider.present(record)
        #expect(try LabDNS.txt(record.fqdn, at: lab.nameservers[0]).contains(record.value))
        try await provider.cleanUp(record)
        #expect(try LabDNS.txt(record.fqdn, at: lab.nameservers[0]).isEmpty)
        #expect(try await lab.requests().filter { $0["path"] as? String == "/1.0/auth/time" }.count == 1, "the clock is asked once per run")
    }

    @Test func aWrongApplicationSecretIsRefusedCredentials_AgainstOVHStandIn() async throws {
        let lab = try await lab()
        let provider = try configuredProvider(environment(lab).merging(["OVH_APPLICATION_SECRET": "as-wrong-\(UUID().uuidString)"]) { $1 }, code: "ovh")
        let record = ChallengeRecord(fqdn: "_acme-challenge.\(uniqueLabel("ovs")).\(lab.zone)", zone: lab.zone, value: "unsigned", ttl: 60)
        let error = await #expect(throws: ProviderError.self) { try await provider.present(record) }
        #expect(error?.code == .credentialsRefused)
        #expect(error?.message.contains("Invalid signature") == true && error?.message.contains(record.fqdn) == true)
    }

    @Test func theApexIsTheEmptySubDomainAndAValueIsAddedOnce_AgainstOVHStandIn() async throws {
        let lab = try await lab()
        let provider = try configuredProvider(environment(lab), code: "ovh")
        let record = ChallengeRecord(fqdn: lab.zone, zone: lab.zone, value: "apex-\(uniqueLabel("ova"))", ttl: 60)
        try await provider.present(record)
        try await provider.present(record)
        #expect(try LabDNS.txt(lab.zone, at: lab.nameservers[0]).filter { $0 == record.value }.count == 1)
        try await provider.cleanUp(record)
        #expect(try !LabDNS.txt(lab.zone, at: lab.nameservers[0]).contains(record.value))
        let requests = try await lab.requests()
        #expect(requests.filter { $0["method"] as? String == "POST" && ($0["path"] as? String)?.hasSuffix("/record") == true }.count == 1)
        #expect(requests.contains { $0["path"] as? String == "/1.0/domain/zone/\(lab.zone)/record" && $0["query"] as? String == "fieldType=TXT&subDomain=" })
    }

    @Test func endpointNamesAndURLsAreAcceptedAndOthersExplained() throws {
        let credentials = ["OVH_APPLICATION_KEY": "a", "OVH_APPLICATION_SECRET": "b", "OVH_CONSUMER_KEY": "c"]
        _ = try configuredProvider(credentials.merging(["OVH_ENDPOINT": "ovh-eu"]) { $1 }, code: "ovh")
        _ = try configuredProvider(credentials.merging(["OVH_ENDPOINT": "https://api.example.test/1.0"]) { $1 }, code: "ovh")
        let error = #expect(throws: ProviderError.self) { try configuredProvider(credentials.merging(["OVH_ENDPOINT": "ovh-mars"]) { $1 }, code: "ovh") }
        #expect(error?.message.contains("ovh-eu") == true && error?.message.contains("OVH_ENDPOINT") == true)
    }

    @Test func sha1MatchesTheStandardVector() {
        #expect(Digest.sha1(Data("abc".utf8)).map { String(format: "%02x", $0) }.joined() == "a9993e364706816aba3e25717850c26c9cd0d89d")
    }
}
