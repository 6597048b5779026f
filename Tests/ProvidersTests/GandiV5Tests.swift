import CertCore
import DNS01
import Foundation
import Providers
import TestSupport
import Testing

/// The gandiv5 adapter against the Gandi LiveDNS v5 stand-in (lab/provider-apis/gandiv5.py),
/// which publishes into the lab's BIND primary.
@Suite(.lab) struct GandiV5Tests {
    let token = "pat-\(UUID().uuidString)"

    func environment(_ lab: ProviderAPILab) -> [String: String] {
        lab.trust.merging(["GANDIV5_BASE_URL": lab.baseURL + "/api/v5", "GANDIV5_PERSONAL_ACCESS_TOKEN": token]) { $1 }
    }

    @Test func conformance_AgainstGandiV5StandIn() async throws {
        let lab = try await ProviderAPILab("gandiv5", credentials: ["token": token])
        let environment = environment(lab)
        try await runProviderConformance(
            makeProvider: { try configuredProvider(environment, code: "gandiv5") },
            makeWrongProvider: { try configuredProvider(environment.merging(["GANDIV5_PERSONAL_ACCESS_TOKEN": "wrong-\(UUID().uuidString)"]) { $1 }, code: "gandiv5") },
            makeUnreachableProvider: { try configuredProvider(environment.merging(["GANDIV5_BASE_URL": "https://127.0.0.9:1/api/v5"]) { $1 }, code: "gandiv5") },
            zone: lab.zone,
            nameservers: lab.nameservers.map { DNSServer(host: $0) },
            isClearCredentialError: { $0.hasPrefix("gandiv5: ") && $0.contains("401") && $0.contains("could not verify that you are authorized") && $0.contains("in zone \(lab.zone).") })
        let requests = try await lab.requests()
        #expect(!requests.isEmpty)
        #expect(requests.allSatisfy { ($0["headers"] as? [String])?.contains("Authorization") == true })
        #expect(requests.allSatisfy { !"\($0["query"] ?? "")\($0["body"] ?? "")".contains(token) })
        #expect(requests.contains { $0["method"] as? String == "DELETE" }, "the last value of a name is removed with DELETE")
    }

    @Test func theDeprecatedAPIKeyIsSentAsXApiKey_AgainstGandiV5StandIn() async throws {
        let key = "key-\(UUID().uuidString)"
        let lab = try await ProviderAPILab("gandiv5", credentials: ["apikey": key])
        var environment = environment(lab)
        environment["GANDIV5_PERSONAL_ACCESS_TOKEN"] = nil
        environment["GANDIV5_API_KEY"] = key
        let provider = try configuredProvider(environment, code: "gandiv5")
        let record = ChallengeRecord(fqdn: "_acme-challenge.\(uniqueLabel("gnk")).\(lab.zone)", zone: lab.zone, value: "legacy-\(UUID().uuidString.prefix(8))", ttl: 60)
        try await provider.present(record)
        #expect(try LabDNS.txt(record.fqdn, at: lab.nameservers[0]).contains(record.value))
        try await provider.cleanUp(record)
        #expect(try LabDNS.txt(record.fqdn, at: lab.nameservers[0]).isEmpty)
        #expect(try await lab.requests().allSatisfy { ($0["headers"] as? [String])?.contains("X-Api-Key") == true })
    }

    @Test func quotedValuesAnotherClientWroteAreKept_AgainstGandiV5StandIn() async throws {
        let lab = try await ProviderAPILab("gandiv5", credentials: ["token": token])
        let provider = try configuredProvider(environment(lab), code: "gandiv5")
        let label = uniqueLabel("gno")
        let fqdn = "_acme-challenge.\(label).\(lab.zone)"
        let path = "/domains/\(lab.zone)/records/_acme-challenge.\(label)/TXT"
        let other = ProviderAPIClient(provider: "gandiv5", trustedBy: lab.trust, baseURL: lab.baseURL + "/api/v5", headers: ["Authorization": "Bearer \(token)"])
        try await other.send("PUT", path, json: ["rrset_ttl": 3600, "rrset_values": [.string("kept-\(label)")]], doing: "seeding")
        // LiveDNS answers TXT values quoted; ours is recognised as present in either spelling.
        let record = ChallengeRecord(fqdn: fqdn, zone: lab.zone, value: "ours-\(label)", ttl: 60)
        try await provider.present(record)
        try await provider.present(record)
        #expect(Set(try LabDNS.txt(fqdn, at: lab.nameservers[0])) == ["kept-\(label)", "ours-\(label)"])
        try await provider.cleanUp(record)
        #expect(try LabDNS.txt(fqdn, at: lab.nameservers[0]) == ["kept-\(label)"])
        let puts = try await lab.requests().filter { $0["method"] as? String == "PUT" }.compactMap { $0["body"] as? String }
        #expect(puts.count == 3, "present twice wrote once, cleanup once: \(puts)")
        #expect(puts.allSatisfy { $0.contains("3600") }, "the set's TTL was not kept: \(puts)")
        try await other.send("DELETE", path, doing: "tidying")
    }

    @Test func aWriteAnotherClientUndidIsMergedAgain_AgainstGandiV5StandIn() async throws {
        let lab = try await ProviderAPILab("gandiv5", credentials: ["token": token])
        let provider = try configuredProvider(environment(lab), code: "gandiv5")
        // The first read, the PUT and the read-back are answered by the test, not stored: the
        // read-back shows a set without our value, as when another client replaced the set
        // right after our PUT.
        try await lab.fault(status: 200, count: 3)
        let record = ChallengeRecord(fqdn: "_acme-challenge.\(uniqueLabel("gnw")).\(lab.zone)", zone: lab.zone, value: "raced-\(UUID().uuidString.prefix(8))", ttl: 60)
        try await provider.present(record)
        #expect(try LabDNS.txt(record.fqdn, at: lab.nameservers[0]) == [record.value])
        let methods = try await lab.requests().compactMap { $0["method"] as? String }
        #expect(methods == ["GET", "PUT", "GET", "GET", "PUT", "GET"])
        try await provider.cleanUp(record)
    }

    @Test func aMissingCredentialNamesBoth() {
        let error = #expect(throws: ProviderError.self) { try configuredProvider([:], code: "gandiv5") }
        #expect(error?.message.contains("GANDIV5_PERSONAL_ACCESS_TOKEN (or the deprecated GANDIV5_API_KEY)") == true)
    }
}
