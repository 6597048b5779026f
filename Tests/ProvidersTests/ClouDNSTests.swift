import CertCore
import DNS01
import Foundation
import Providers
import TestSupport
import Testing

/// The cloudns adapter against the ClouDNS API stand-in (lab/provider-apis/cloudns.py), which
/// publishes into the lab's BIND primary.
@Suite(.lab) struct ClouDNSTests {
    let authID = "\(Int.random(in: 10000...99999))"
    // Characters a form body must escape, so a password that has them still arrives whole.
    let password = "pw+&=/ \(UUID().uuidString)"

    func environment(_ lab: ProviderAPILab) -> [String: String] {
        lab.trust.merging(["CLOUDNS_BASE_URL": lab.baseURL + "/dns", "CLOUDNS_AUTH_ID": authID, "CLOUDNS_AUTH_PASSWORD": password]) { $1 }
    }

    @Test func conformance_AgainstClouDNSStandIn() async throws {
        let lab = try await ProviderAPILab("cloudns", credentials: ["auth_id": authID, "password": password])
        let environment = environment(lab)
        try await runProviderConformance(
            makeProvider: { try configuredProvider(environment, code: "cloudns") },
            makeWrongProvider: { try configuredProvider(environment.merging(["CLOUDNS_AUTH_PASSWORD": "wrong-\(UUID().uuidString)"]) { $1 }, code: "cloudns") },
            makeUnreachableProvider: { try configuredProvider(environment.merging(["CLOUDNS_BASE_URL": "https://127.0.0.9:1/dns"]) { $1 }, code: "cloudns") },
            zone: lab.zone,
            nameservers: lab.nameservers.map { DNSServer(host: $0) },
            isClearCredentialError: { $0.hasPrefix("cloudns: ") && $0.contains("Invalid authentication, incorrect auth-id or auth-password.") && $0.contains("in zone \(lab.zone).") })
        // The credentials travel in POST form bodies only, never in a URL (which -vv logs).
        let requests = try await lab.requests()
        #expect(!requests.isEmpty)
        #expect(requests.allSatisfy { $0["method"] as? String == "POST" && ($0["query"] as? String ?? "").isEmpty && "\($0["body"] ?? "")".contains("auth-password=") })
    }

    @Test func aSubUserIsSentAsSubAuthID_AgainstClouDNSStandIn() async throws {
        let subID = "\(Int.random(in: 100000...999999))"
        let lab = try await ProviderAPILab("cloudns", credentials: ["sub_auth_id": subID, "password": password])
        var environment = environment(lab)
        environment["CLOUDNS_AUTH_ID"] = nil
        environment["CLOUDNS_SUB_AUTH_ID"] = subID
        let provider = try configuredProvider(environment, code: "cloudns")
        let record = ChallengeRecord(fqdn: lab.zone, zone: lab.zone, value: "sub-\(uniqueLabel("cns"))", ttl: 120)
        try await provider.present(record)
        try await provider.present(record)
        #expect(try LabDNS.txt(lab.zone, at: lab.nameservers[0]).filter { $0 == record.value }.count == 1)
        try await provider.cleanUp(record)
        #expect(try !LabDNS.txt(lab.zone, at: lab.nameservers[0]).contains(record.value))
        let requests = try await lab.requests()
        #expect(requests.allSatisfy { ($0["body"] as? String)?.hasPrefix("sub-auth-id=\(subID)&") == true })
        // One add; the apex is the empty host; a TTL of 120 is rounded up to 300, one ClouDNS accepts.
        let adds = requests.filter { $0["path"] as? String == "/dns/add-record.json" }.compactMap { $0["body"] as? String }
        #expect(adds.count == 1 && adds.allSatisfy { $0.contains("&host=&") && $0.contains("&ttl=300") })
    }

    @Test func anAccountWithoutTheZoneIsNamed_AgainstClouDNSStandIn() async throws {
        let lab = try await ProviderAPILab("cloudns", credentials: ["auth_id": authID, "password": password])
        let provider = try configuredProvider(environment(lab), code: "cloudns")
        let record = ChallengeRecord(fqdn: "_acme-challenge.other-zone.test", zone: "other-zone.test", value: "absent-\(uniqueLabel("cnz"))", ttl: 60)
        let error = await #expect(throws: ProviderError.self) { try await provider.present(record) }
        #expect(error?.code == .rejected && error?.message.contains("Invalid domain-name param.") == true && error?.message.contains("other-zone.test") == true)
    }

    @Test func anIDIsNeeded() {
        let error = #expect(throws: ProviderError.self) { try configuredProvider(["CLOUDNS_AUTH_PASSWORD": "x"], code: "cloudns") }
        #expect(error?.message.contains("CLOUDNS_AUTH_ID (or CLOUDNS_SUB_AUTH_ID)") == true)
    }
}
