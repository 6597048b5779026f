import DNS01
import Foundation
import TestSupport
import Testing

@Suite(.lab) struct SolverTests {
    func solver(_ lab: LabDNS, timeout: Duration = .seconds(60)) -> DNS01Solver {
        DNS01Solver(
            provider: UpdateClientProvider(lab: lab),
            discovery: ZoneDiscovery(resolver: DNSResolver(servers: [lab.resolver])),
            checker: PropagationChecker(policy: PropagationPolicy(timeout: timeout)),
            ttl: 60)
    }

    @Test func nameAndWildcardAreTwoValuesAtOneNameAndCleanedUpOnSuccess_AgainstBINDAndKnot() async throws {
        let lab = try LabDNS()
        let domain = "\(uniqueLabel("ok")).\(lab.zone)"
        let fqdn = "_acme-challenge.\(domain)."
        let challenges = [DNSChallenge(domain: domain, value: "plain"), DNSChallenge(domain: "*.\(domain)", value: "wild")]
        let seenDuring = try await solver(lab).withChallengesPublished(challenges) {
            (try await lab.txtValues(at: fqdn, on: lab.primary), try await lab.txtValues(at: fqdn, on: lab.secondary))
        }
        #expect(seenDuring.0 == ["plain", "wild"])
        #expect(seenDuring.1 == ["plain", "wild"])
        #expect(try await lab.txtValues(at: fqdn, on: lab.primary) == [])
        #expect(try await lab.waitUntilGone("plain", at: fqdn, on: lab.secondary))
        #expect(try await lab.waitUntilGone("wild", at: fqdn, on: lab.secondary))
    }

    @Test func cnameDelegatedNameIsPublishedInTheDelegatedZone_AgainstBINDAndKnot() async throws {
        let lab = try LabDNS()
        let log = EventLog<DNS01Event>()
        let fqdn = "_acme-challenge.alias.\(lab.delegatedZone)."
        let value = uniqueLabel("alias")
        let seen = try await solver(lab).withChallengesPublished([DNSChallenge(domain: "alias.\(lab.zone)", value: value)], events: { log.append($0) }) {
            try await lab.txtValues(at: fqdn, on: lab.secondary)
        }
        #expect(seen.contains(value))
        #expect(log.events.contains(.presented(ChallengeRecord(fqdn: fqdn, zone: lab.delegatedZone, value: value, ttl: 60, domain: "alias.\(lab.zone)"))))
        #expect(!(try await lab.txtValues(at: fqdn, on: lab.primary)).contains(value))
    }

    @Test func cleansUpOnPropagationTimeout_AgainstBINDAndKnot() async throws {
        let lab = try LabDNS()
        // slow.test's secondary refreshes every 10 s at a moment no test controls; when that
        // falls inside a try (its SOA serial changed), the solve rightly succeeds; a try without
        // a refresh must time out. Every try must leave the zone clean either way.
        var timedOut = false
        for attempt in 1...6 where !timedOut {
            let domain = "\(uniqueLabel("fail\(attempt)")).\(lab.slowZone)"
            let fqdn = "_acme-challenge.\(domain)."
            let log = EventLog<DNS01Event>()
            let before = try await lab.soaSerial(of: lab.slowZone, on: lab.secondary)
            do {
                try await solver(lab, timeout: .milliseconds(500)).solve([DNSChallenge(domain: domain, value: "never")]) { log.append($0) }
                let refreshed = try await lab.soaSerial(of: lab.slowZone, on: lab.secondary) != before
                #expect(refreshed, "the slow secondary served a fresh record without refreshing the zone")
            } catch is PropagationTimeoutError {
                timedOut = true
            }
            #expect(log.events.contains { if case .cleanedUp = $0 { true } else { false } })
            #expect(try await lab.txtValues(at: fqdn, on: lab.primary) == [])
        }
        #expect(timedOut, "the slow secondary refreshed during each of six tries")
    }

    @Test func cleansUpOnCancellation_AgainstBINDAndKnot() async throws {
        let lab = try LabDNS()
        let domain = "\(uniqueLabel("cancel")).\(lab.zone)"
        let fqdn = "_acme-challenge.\(domain)."
        let (waiting, continuation) = AsyncStream.makeStream(of: Void.self)
        let solver = solver(lab)
        let task = Task {
            try await solver.withChallengesPublished([DNSChallenge(domain: domain, value: "cancelled")], events: { event in
                if case .propagation(.answer) = event { continuation.yield() }
            }) {
                try await Task.sleep(for: .seconds(3600))
            }
        }
        for await _ in waiting { break }   // the checker is polling: cancel mid-wait
        task.cancel()
        let result = await task.result
        #expect(throws: CancellationError.self) { try result.get() }
        #expect(try await lab.txtValues(at: fqdn, on: lab.primary) == [])
        #expect(try await lab.waitUntilGone("cancelled", at: fqdn, on: lab.secondary))
    }

    @Test func loopingCNAMEFailsBeforePresentingAnything_AgainstBIND() async throws {
        let lab = try LabDNS()
        let log = EventLog<DNS01Event>()
        let error = await #expect(throws: DNSError.self) {
            try await solver(lab).solve([DNSChallenge(domain: "loop.\(lab.zone)", value: "v")]) { log.append($0) }
        }
        #expect(error?.code == .cnameLoop)
        #expect(log.events.isEmpty)
    }
}
