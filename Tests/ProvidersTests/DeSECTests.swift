import DNS01
import Foundation
import Providers
import TestSupport
import Testing

/// The desec adapter against the deSEC API stand-in (lab/provider-apis/desec.py), which replaces
/// an RRset whole, as deSEC does, and publishes each change into the lab's BIND primary.
@Suite(.lab) struct DeSECTests {
    let token = "ds-\(UUID().uuidString)"

    func environment(_ lab: ProviderAPILab) -> [String: String] {
        lab.trust.merging(["DESEC_BASE_URL": lab.baseURL + "/api/v1", "DESEC_TOKEN": token]) { $1 }
    }

    @Test func conformance_AgainstDeSECStandIn() async throws {
        let lab = try await ProviderAPILab("desec", credentials: ["token": token])
        let environment = environment(lab)
        try await runProviderConformance(
            makeProvider: { try configuredProvider(environment, code: "desec") },
            makeWrongProvider: { try configuredProvider(environment.merging(["DESEC_TOKEN": "wrong-\(UUID().uuidString)"]) { $1 }, code: "desec") },
            makeUnreachableProvider: { try configuredProvider(environment.merging(["DESEC_BASE_URL": "https://127.0.0.9:1/api/v1"]) { $1 }, code: "desec") },
            zone: lab.zone,
            nameservers: lab.nameservers.map { DNSServer(host: $0) },
            isClearCredentialError: { $0.hasPrefix("desec: ") && $0.contains("answered 401: Invalid token.") && $0.contains("in zone \(lab.zone).") })
        let requests = try await lab.requests()
        #expect(!requests.isEmpty)
        #expect(requests.allSatisfy { ($0["headers"] as? [String])?.contains("Authorization") == true })
        #expect(requests.allSatisfy { !"\($0["query"] ?? "")\($0["body"] ?? "")".contains(token) })
        // Every modification of an RRset was followed by a read of that RRset (requests to other
        // names may come between: the suite presents at several names at once).
        let calls = requests.compactMap { request in (request["method"] as? String).flatMap { method in (request["path"] as? String).map { (method, $0) } } }
        for (index, call) in calls.enumerated() where call.0 == "PATCH" {
            #expect(calls.dropFirst(index + 1).first { $0.1 == call.1 }?.0 == "GET", "a PATCH of \(call.1) was not read back")
        }
        #expect(calls.contains { $0.0 == "PATCH" })
    }

    @Test func aWriteAnotherWriterUndidIsWrittenAgain_AgainstDeSECStandIn() async throws {
        // The stand-in answers the first write as done but keeps the RRset as it was.
        let lab = try await ProviderAPILab("desec", credentials: ["token": token, "lose_writes": "1"])
        let provider = try configuredProvider(environment(lab), code: "desec")
        let fqdn = "_acme-challenge.\(uniqueLabel("dsl")).\(lab.zone)"
        let first = ChallengeRecord(fqdn: fqdn, zone: lab.zone, value: "first-\(UUID().uuidString.prefix(8))", ttl: 60)
        try await provider.present(first)
        #expect(try LabDNS.txt(fqdn, at: lab.nameservers[0]) == [first.value], "the lost create was not redone")
        let posts = try await lab.requests().filter { $0["method"] as? String == "POST" }
        #expect(posts.count == 2)
        try await provider.cleanUp(first)
        #expect(try LabDNS.txt(fqdn, at: lab.nameservers[0]).isEmpty)
    }

    @Test func theRRsetIsMergedWholeAndTheTTLRaisedToTheDomainsMinimum_AgainstDeSECStandIn() async throws {
        let lab = try await ProviderAPILab("desec", credentials: ["token": token])
        let provider = try configuredProvider(environment(lab), code: "desec")
        let fqdn = "_acme-challenge.\(uniqueLabel("dsm")).\(lab.zone)"
        let records = (1...2).map { ChallengeRecord(fqdn: fqdn, zone: lab.zone, value: "merge\($0)-\(UUID().uuidString.prefix(8))", ttl: 60) }
        for record in records { try await provider.present(record) }
        let bodies = try await lab.requests().filter { $0["method"] as? String == "PATCH" }.compactMap { $0["body"] as? String }
        let patch = try #require(bodies.last.flatMap { try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] })
        // The second write carried both values, quoted, and deSEC's minimum TTL instead of 60.
        #expect(Set(patch["records"] as? [String] ?? []) == Set(records.map { "\"\($0.value)\"" }))
        #expect(patch["ttl"] as? Int == 3600)
        for record in records { try await provider.cleanUp(record) }
        #expect(try LabDNS.txt(fqdn, at: lab.nameservers[0]).isEmpty)
    }

    @Test func rateLimitsAreWaitedOutAsRetryAfterSays_AgainstDeSECStandIn() async throws {
        let lab = try await ProviderAPILab("desec", credentials: ["token": token])
        let provider = try configuredProvider(environment(lab), code: "desec")
        try await lab.fault(status: 429, count: 2, headers: ["Retry-After": "1"])
        let record = ChallengeRecord(fqdn: "_acme-challenge.\(uniqueLabel("dsr")).\(lab.zone)", zone: lab.zone, value: "limited-\(UUID().uuidString.prefix(8))", ttl: 3600)
        let started = ContinuousClock.now
        try await provider.present(record)
        #expect(ContinuousClock.now - started >= .seconds(2), "the two Retry-After: 1 answers were not waited out")
        #expect(try LabDNS.txt(record.fqdn, at: lab.nameservers[0]) == [record.value])
        try await provider.cleanUp(record)
    }

    @Test func aDomainTheAccountLacksIsNamed_AgainstDeSECStandIn() async throws {
        let lab = try await ProviderAPILab("desec", credentials: ["token": token])
        let provider = try configuredProvider(environment(lab), code: "desec")
        let record = ChallengeRecord(fqdn: "_acme-challenge.elsewhere.test.", zone: "elsewhere.test.", value: "nozone-\(UUID().uuidString.prefix(8))", ttl: 3600)
        let error = await #expect(throws: ProviderError.self) { try await provider.present(record) }
        #expect(error?.code == .rejected)
        #expect(error?.message.contains("the account has no domain named elsewhere.test") == true)
    }

    @Test func aMissingTokenIsNamed() {
        let error = #expect(throws: ProviderError.self) { try configuredProvider([:], code: "desec") }
        #expect(error?.message.contains("missing DESEC_TOKEN") == true)
    }
}
