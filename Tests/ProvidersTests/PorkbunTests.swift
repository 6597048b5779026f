import CertCore
import DNS01
import Foundation
import Providers
import TestSupport
import Testing

/// The porkbun adapter against the Porkbun API v3 stand-in (lab/provider-apis/porkbun.py),
/// which publishes into the lab's BIND primary.
@Suite(.lab) struct PorkbunTests {
    let key = "pk1_\(UUID().uuidString)"
    let secret = "sk1_\(UUID().uuidString)"

    func environment(_ lab: ProviderAPILab) -> [String: String] {
        lab.trust.merging(["PORKBUN_BASE_URL": lab.baseURL + "/api/json/v3", "PORKBUN_API_KEY": key, "PORKBUN_SECRET_API_KEY": secret]) { $1 }
    }

    func lab() async throws -> ProviderAPILab {
        try await ProviderAPILab("porkbun", credentials: ["apikey": key, "secret": secret])
    }

    @Test func conformance_AgainstPorkbunStandIn() async throws {
        let lab = try await lab()
        let environment = environment(lab)
        try await runProviderConformance(
            makeProvider: { try configuredProvider(environment, code: "porkbun") },
            makeWrongProvider: { try configuredProvider(environment.merging(["PORKBUN_SECRET_API_KEY": "sk1_wrong-\(UUID().uuidString)"]) { $1 }, code: "porkbun") },
            makeUnreachableProvider: { try configuredProvider(environment.merging(["PORKBUN_BASE_URL": "https://127.0.0.9:1/api/json/v3"]) { $1 }, code: "porkbun") },
            zone: lab.zone,
            nameservers: lab.nameservers.map { DNSServer(host: $0) },
            isClearCredentialError: { $0.hasPrefix("porkbun: ") && $0.contains("403") && $0.contains("Invalid API key. (002)") && $0.contains("in zone \(lab.zone).") })
        // The keys travel in the JSON body of POSTs only: never in a URL.
        let requests = try await lab.requests()
        #expect(!requests.isEmpty)
        #expect(requests.allSatisfy { $0["method"] as? String == "POST" && "\($0["body"] ?? "")".contains("secretapikey") })
        #expect(requests.allSatisfy { !"\($0["path"] ?? "")\($0["query"] ?? "")".contains(secret) })
    }

    @Test func presentTwiceCreatesOneRecordAndTheApexHasAnEmptyName_AgainstPorkbunStandIn() async throws {
        let lab = try await lab()
        let provider = try configuredProvider(environment(lab), code: "porkbun")
        let record = ChallengeRecord(fqdn: lab.zone, zone: lab.zone, value: "apex-\(uniqueLabel("pba"))", ttl: 60)
        try await provider.present(record)
        try await provider.present(record)
        #expect(try LabDNS.txt(lab.zone, at: lab.nameservers[0]).filter { $0 == record.value }.count == 1)
        try await provider.cleanUp(record)
        #expect(try !LabDNS.txt(lab.zone, at: lab.nameservers[0]).contains(record.value))
        let requests = try await lab.requests()
        let creates = requests.filter { ($0["path"] as? String)?.hasSuffix("/dns/create/\(lab.zone)") == true }
        #expect(creates.count == 1)
        #expect(creates.allSatisfy { "\($0["body"] ?? "")".contains(#""name":"""#) && "\($0["body"] ?? "")".contains(#""ttl":"600""#) })
        #expect(requests.contains { $0["path"] as? String == "/api/json/v3/dns/retrieveByNameType/\(lab.zone)/TXT" })
    }

    @Test func aRateLimitIsWaitedOut_AgainstPorkbunStandIn() async throws {
        let lab = try await lab()
        let provider = try configuredProvider(environment(lab), code: "porkbun")
        try await lab.fault(status: 429, count: 1, headers: ["Retry-After": "1"])
        let record = ChallengeRecord(fqdn: "_acme-challenge.\(uniqueLabel("pbr")).\(lab.zone)", zone: lab.zone, value: "limited-\(UUID().uuidString.prefix(8))", ttl: 60)
        try await provider.present(record)
        #expect(try LabDNS.txt(record.fqdn, at: lab.nameservers[0]).contains(record.value))
        try await provider.cleanUp(record)
        #expect(try LabDNS.txt(record.fqdn, at: lab.nameservers[0]).isEmpty)
    }

    @Test func bothKeysAreNamedWhenMissing() {
        let error = #expect(throws: ProviderError.self) { try configuredProvider([:], code: "porkbun") }
        #expect(error?.message.contains("PORKBUN_API_KEY") == true && error?.message.contains("PORKBUN_SECRET_API_KEY") == true)
    }
}
