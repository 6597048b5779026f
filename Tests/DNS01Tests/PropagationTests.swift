import DNS01
import Foundation
import TestSupport
import Testing

@Suite(.lab) struct PropagationTests {
    @Test func waitsForTheNotifyFedSecondary_AgainstBINDAndKnot() async throws {
        let lab = try LabDNS()
        let name = "_acme-challenge.\(uniqueLabel("notify")).\(lab.zone)."
        let updater = lab.updater(for: lab.zone)
        try await updater.addTXT(name: name, value: "propagated", ttl: 60, zone: lab.zone)
        let log = EventLog<PropagationEvent>()
        let checker = PropagationChecker(policy: PropagationPolicy(timeout: .seconds(60)))
        try await checker.waitUntilVisible([RecordExpectation(fqdn: name, value: "propagated", nameservers: lab.nameservers)]) { log.append($0) }
        // The checker returned only once the secondary itself served the value.
        #expect(log.events.contains(.answer(fqdn: name, value: "propagated", nameserver: "ns2.lab.", address: lab.secondary, answer: .visible)))
        #expect(log.events.contains(.recordVisible(fqdn: name, value: "propagated")))
        #expect(try await lab.txtValues(at: name, on: lab.secondary) == ["propagated"])
        try await updater.deleteTXT(name: name, value: "propagated", zone: lab.zone)
    }

    @Test func slowSecondaryTimesOutNamingIt_AgainstBINDAndKnot() async throws {
        let lab = try LabDNS()
        // The secondary refreshes every 10 s at a moment no test controls: when a refresh falls
        // inside a try (its SOA serial changed), the record really did arrive in time and the
        // try says nothing; a try without a refresh must time out naming the secondary.
        var timedOut: PropagationTimeoutError?
        for attempt in 1...6 where timedOut == nil {
            let name = "_acme-challenge.\(uniqueLabel("slow\(attempt)")).\(lab.slowZone)."
            let updater = lab.updater(for: lab.slowZone)
            let before = try await lab.soaSerial(of: lab.slowZone, on: lab.secondary)
            try await updater.addTXT(name: name, value: "late", ttl: 60, zone: lab.slowZone)
            defer { Task { try? await updater.deleteTXT(name: name, value: "late", zone: lab.slowZone) } }
            let checker = PropagationChecker(policy: PropagationPolicy(timeout: .milliseconds(600)))
            do {
                try await checker.waitUntilVisible([RecordExpectation(fqdn: name, value: "late", nameservers: lab.nameservers)])
                let refreshed = try await lab.soaSerial(of: lab.slowZone, on: lab.secondary) != before
                #expect(refreshed, "the slow secondary served a fresh record without refreshing the zone")
            } catch let error as PropagationTimeoutError {
                timedOut = error
            }
        }
        let error = try #require(timedOut, "the slow secondary refreshed during each of six tries")
        #expect(error.pending.map(\.address) == [lab.secondary])
        #expect(error.description.contains("127.0.0.3"))
        #expect(!error.description.contains("127.0.0.2"))
    }

    @Test func slowSecondaryIsWaitedForUntilItsRefresh_AgainstBINDAndKnot() async throws {
        let lab = try LabDNS()
        let name = "_acme-challenge.\(uniqueLabel("refresh")).\(lab.slowZone)."
        let updater = lab.updater(for: lab.slowZone)
        try await updater.addTXT(name: name, value: "eventually", ttl: 60, zone: lab.slowZone)
        defer { Task { try? await updater.deleteTXT(name: name, value: "eventually", zone: lab.slowZone) } }
        let checker = PropagationChecker(policy: PropagationPolicy(timeout: .seconds(60)))
        try await checker.waitUntilVisible([RecordExpectation(fqdn: name, value: "eventually", nameservers: lab.nameservers)])
        #expect(try await lab.txtValues(at: name, on: lab.secondary).contains("eventually"))
    }

    @Test func serverErrorsAreKeptPerServer_AgainstBIND() async throws {
        let lab = try LabDNS()
        // The primary is not authoritative for this zone: it answers REFUSED, which is not "not yet".
        let log = EventLog<PropagationEvent>()
        let checker = PropagationChecker(policy: PropagationPolicy(timeout: .milliseconds(300)))
        let error = await #expect(throws: PropagationTimeoutError.self) {
            try await checker.waitUntilVisible([RecordExpectation(fqdn: "_acme-challenge.not-served.invalid.", value: "v", nameservers: [Nameserver(name: "ns1.lab.", addresses: [lab.primary])])]) { log.append($0) }
        }
        #expect(error?.pending.first?.lastAnswer == .failed(rcode: .refused))
        #expect(error?.description.contains("REFUSED") == true)
    }

    @Test func fixedWaitSkipsChecking() async throws {
        let log = EventLog<PropagationEvent>()
        let unreachable = Nameserver(name: "ns.invalid.", addresses: [DNSServer(host: "127.0.0.1", port: 9)])
        let checker = PropagationChecker(policy: PropagationPolicy(mode: .fixedWait(.milliseconds(10)), timeout: .milliseconds(10)))
        try await checker.waitUntilVisible([RecordExpectation(fqdn: "x.invalid.", value: "v", nameservers: [unreachable])]) { log.append($0) }
        #expect(log.events == [.waiting(.milliseconds(10))])
    }
}
