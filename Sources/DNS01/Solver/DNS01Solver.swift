internal import Foundation
internal import Logging

/// One name to prove and the TXT value the CA expects for it.
public struct DNSChallenge: Sendable, Hashable {
    /// The identifier (e.g. `example.test` or `*.example.test`).
    public var domain: String
    public var value: String
    /// The ACME challenge behind the value, for providers whose protocol passes it on (lego's
    /// RAW hooks); nil for a probe that answers no CA.
    public var acme: ACMEChallengeText?

    public init(domain: String, value: String, acme: ACMEChallengeText? = nil) {
        self.domain = domain
        self.value = value
        self.acme = acme
    }
}

/// An ACME challenge's token and key authorization (RFC 8555 §8.1), as text.
public struct ACMEChallengeText: Sendable, Hashable {
    public var token: String
    public var keyAuthorization: String

    public init(token: String, keyAuthorization: String) {
        self.token = token
        self.keyAuthorization = keyAuthorization
    }
}

/// Progress of a solve, for a live display.
public enum DNS01Event: Sendable, Hashable {
    case discovered(ChallengeTarget)
    case presented(ChallengeRecord)
    case propagation(PropagationEvent)
    case cleanedUp(ChallengeRecord)
    case cleanupFailed(ChallengeRecord, message: String)
}

/// Solves DNS-01: discovers where each record goes, presents all of them concurrently, waits
/// until every authoritative nameserver serves every value, and always cleans up.
public struct DNS01Solver: Sendable {
    public var provider: any DNSProvider
    public var discovery: ZoneDiscovery
    public var checker: PropagationChecker
    /// TTL of the challenge records, in seconds.
    public var ttl: Int

    public init(provider: any DNSProvider, discovery: ZoneDiscovery, checker: PropagationChecker, ttl: Int) {
        self.provider = provider
        self.discovery = discovery
        self.checker = checker
        self.ttl = ttl
    }

    static let logger = Logger(label: "kubectl-certs.dns01.solver")

    /// Publishes every challenge, waits until all are visible, runs `body` (e.g. tells the CA
    /// to validate), then removes every record it tried to publish — whether `body` and the
    /// wait succeed, fail, time out or are cancelled. Cleanup runs in a fresh, uncancelled
    /// task so it survives cancellation; its failures are reported as events, never thrown
    /// over the original outcome.
    public func withChallengesPublished<T: Sendable>(
        _ challenges: [DNSChallenge],
        events: @escaping @Sendable (DNS01Event) -> Void = { _ in },
        body: () async throws -> T
    ) async throws -> T {
        try await withRecordsPublished(try await records(for: challenges, events: events), events: events, body: body)
    }

    /// The same for records already discovered with `records(for:)`, for a caller that must
    /// note them (e.g. to clean up after a crash) before they are published.
    public func withRecordsPublished<T: Sendable>(
        _ pairs: [(record: ChallengeRecord, target: ChallengeTarget)],
        events: @escaping @Sendable (DNS01Event) -> Void = { _ in },
        body: () async throws -> T
    ) async throws -> T {
        let attempted = RecordLedger()
        do {
            try await publishAndWait(pairs, attempted: attempted, events: events)
            Self.logger.debug("all \(pairs.count) challenge records visible")
            let result = try await body()
            await cleanUp(attempted, events: events)
            return result
        } catch {
            await cleanUp(attempted, events: events)
            throw error
        }
    }

    /// Publishes and waits, then cleans up at once (a dry run of the DNS side: `dns check`).
    public func solve(_ challenges: [DNSChallenge], events: @escaping @Sendable (DNS01Event) -> Void = { _ in }) async throws {
        try await withChallengesPublished(challenges, events: events) { () }
    }

    /// The records `challenges` map to, after discovery: two domains at one name (a name and
    /// its wildcard) give two values at that name.
    public func records(for challenges: [DNSChallenge], events: @escaping @Sendable (DNS01Event) -> Void = { _ in }) async throws -> [(record: ChallengeRecord, target: ChallengeTarget)] {
        // One discovery per challenge name: `example.test` and `*.example.test` share one.
        var domainByName: [String: String] = [:]
        for challenge in challenges where domainByName[DNSName.challengeName(for: challenge.domain)] == nil {
            domainByName[DNSName.challengeName(for: challenge.domain)] = challenge.domain
        }
        let discovery = discovery
        let targets = try await withThrowingTaskGroup(of: (String, ChallengeTarget).self) { group in
            for (name, domain) in domainByName {
                group.addTask { (name, try await discovery.discover(domain: domain)) }
            }
            var targets: [String: ChallengeTarget] = [:]
            for try await (name, target) in group where targets[name] == nil {
                targets[name] = target
                events(.discovered(target))
            }
            return targets
        }
        var seen = Set<ChallengeRecord>()
        var result: [(record: ChallengeRecord, target: ChallengeTarget)] = []
        for challenge in challenges {
            guard let target = targets[DNSName.challengeName(for: challenge.domain)] else { continue }
            let record = ChallengeRecord(fqdn: target.fqdn, zone: target.zone, value: challenge.value, ttl: ttl, domain: challenge.domain, acme: challenge.acme)
            if seen.insert(record).inserted { result.append((record, target)) }
        }
        return result
    }

    private func publishAndWait(_ pairs: [(record: ChallengeRecord, target: ChallengeTarget)], attempted: RecordLedger, events: @escaping @Sendable (DNS01Event) -> Void) async throws {
        let provider = provider
        try await withThrowingTaskGroup(of: Void.self) { group in
            for (record, _) in pairs {
                group.addTask {
                    attempted.add(record)
                    try await provider.present(record)
                    events(.presented(record))
                }
            }
            try await group.waitForAll()
        }
        let expectations = pairs.map { RecordExpectation(fqdn: $0.record.fqdn, value: $0.record.value, nameservers: $0.target.nameservers) }
        try await checker.waitUntilVisible(expectations) { events(.propagation($0)) }
    }

    private func cleanUp(_ ledger: RecordLedger, events: @escaping @Sendable (DNS01Event) -> Void) async {
        let records = ledger.records
        guard !records.isEmpty else { return }
        let provider = provider
        // A fresh task: not a child, so it does not inherit this task's cancellation.
        await Task {
            await withTaskGroup(of: Void.self) { group in
                for record in records {
                    group.addTask {
                        do {
                            try await provider.cleanUp(record)
                            events(.cleanedUp(record))
                        } catch {
                            Self.logger.debug("cleanup of \(record) failed: \(error)")
                            events(.cleanupFailed(record, message: "\(error)"))
                        }
                    }
                }
            }
        }.value
    }
}

/// The records a solve tried to present, shared by concurrent tasks.
final class RecordLedger: @unchecked Sendable {
    private let lock = NSLock()
    private var list: [ChallengeRecord] = []

    func add(_ record: ChallengeRecord) {
        lock.lock()
        defer { lock.unlock() }
        if !list.contains(record) { list.append(record) }
    }

    var records: [ChallengeRecord] {
        lock.lock()
        defer { lock.unlock() }
        return list
    }
}
