internal import Logging

/// How to decide that challenge records are visible.
public struct PropagationPolicy: Hashable, Sendable {
    public enum Mode: Hashable, Sendable {
        /// Ask every authoritative nameserver until each serves the value.
        case check
        /// Don't check: just wait this long (`--propagation-wait`).
        case fixedWait(Duration)
    }

    public var mode: Mode
    /// Give up checking after this long (`--propagation-timeout`).
    public var timeout: Duration
    /// Delay between polls of one server.
    public var backoff: Backoff
    /// How long to wait for each single answer.
    public var queryTimeout: Duration

    public init(mode: Mode = .check, timeout: Duration, backoff: Backoff = Backoff(), queryTimeout: Duration = .seconds(2)) {
        self.mode = mode
        self.timeout = timeout
        self.backoff = backoff
        self.queryTimeout = queryTimeout
    }
}

/// One TXT value that must become visible on every address of every nameserver.
public struct RecordExpectation: Hashable, Sendable {
    public var fqdn: String
    public var value: String
    public var nameservers: [Nameserver]

    public init(fqdn: String, value: String, nameservers: [Nameserver]) {
        self.fqdn = DNSName.normalized(fqdn)
        self.value = value
        self.nameservers = nameservers
    }
}

/// What one nameserver address last said about one record.
public enum NameserverAnswer: Hashable, Sendable, CustomStringConvertible {
    /// Not asked yet.
    case notAsked
    /// The TXT set contains the value.
    case visible
    /// Not yet: NXDOMAIN, or NOERROR without the value (`values` lists what it does serve).
    case notYet(rcode: DNSResponseCode, values: [String])
    /// An error rcode such as SERVFAIL or REFUSED.
    case failed(rcode: DNSResponseCode)
    /// No answer: timeout or network error.
    case unreachable(String)

    public var description: String {
        switch self {
        case .notAsked: "not asked yet"
        case .visible: "serves the value"
        case let .notYet(rcode, values):
            if rcode == .nameError { "NXDOMAIN (not yet)" }
            else if values.isEmpty { "\(rcode), no TXT record (not yet)" }
            else { "\(rcode), other TXT values only: \(values.map { "\"\($0)\"" }.joined(separator: ", ")) (not yet)" }
        case let .failed(rcode): "\(rcode)"
        case let .unreachable(message): message
        }
    }
}

/// Progress reports for a live display.
public enum PropagationEvent: Hashable, Sendable {
    /// One address of one nameserver answered (or failed to) for one record.
    case answer(fqdn: String, value: String, nameserver: String, address: DNSServer, answer: NameserverAnswer)
    /// Every address of every nameserver serves the record.
    case recordVisible(fqdn: String, value: String)
    /// Fixed-wait mode: waiting this long without checking.
    case waiting(Duration)
}

/// The propagation check gave up; says, per nameserver address, what it last answered.
public struct PropagationTimeoutError: Error, Sendable, CustomStringConvertible {
    public struct Pending: Hashable, Sendable {
        public var fqdn: String
        public var value: String
        public var nameserver: String
        public var address: DNSServer
        public var lastAnswer: NameserverAnswer

        public init(fqdn: String, value: String, nameserver: String, address: DNSServer, lastAnswer: NameserverAnswer) {
            self.fqdn = fqdn
            self.value = value
            self.nameserver = nameserver
            self.address = address
            self.lastAnswer = lastAnswer
        }
    }

    public var timeout: Duration
    public var pending: [Pending]

    public init(timeout: Duration, pending: [Pending]) {
        self.timeout = timeout
        self.pending = pending
    }

    public var description: String {
        var lines = ["the challenge records were not visible on every authoritative nameserver within \(timeout.formatted()):"]
        for item in pending {
            lines.append("  \(item.nameserver) (\(item.address)) for TXT \(item.fqdn) \"\(item.value)\": \(item.lastAnswer)")
        }
        return lines.joined(separator: "\n")
    }
}

/// Asks every address of every authoritative nameserver directly (no recursion), in
/// parallel, until each serves each expected value.
public struct PropagationChecker: Sendable {
    public var policy: PropagationPolicy

    public init(policy: PropagationPolicy) {
        self.policy = policy
    }

    static let logger = Logger(label: "kubectl-certs.dns01.propagation")

    /// Returns when every record is visible everywhere; throws `PropagationTimeoutError` when
    /// the timeout passes first, `CancellationError` when the task is cancelled.
    public func waitUntilVisible(_ records: [RecordExpectation], events: @escaping @Sendable (PropagationEvent) -> Void = { _ in }) async throws {
        switch policy.mode {
        case let .fixedWait(duration):
            events(.waiting(duration))
            try await Task.sleep(for: duration)
            return
        case .check:
            break
        }
        let deadline = ContinuousClock.now + policy.timeout
        let policy = policy
        let pending = try await withThrowingTaskGroup(of: [PropagationTimeoutError.Pending].self) { group in
            for record in records {
                group.addTask {
                    try await Self.check(record, policy: policy, deadline: deadline, events: events)
                }
            }
            var pending: [PropagationTimeoutError.Pending] = []
            for try await missing in group { pending += missing }
            return pending
        }
        guard pending.isEmpty else {
            throw PropagationTimeoutError(timeout: policy.timeout, pending: pending)
        }
    }

    /// Polls every address of every nameserver for one record; returns those that never served it.
    static func check(_ record: RecordExpectation, policy: PropagationPolicy, deadline: ContinuousClock.Instant, events: @escaping @Sendable (PropagationEvent) -> Void) async throws -> [PropagationTimeoutError.Pending] {
        let missing = try await withThrowingTaskGroup(of: PropagationTimeoutError.Pending?.self) { group in
            for nameserver in record.nameservers {
                for address in nameserver.addresses {
                    group.addTask {
                        let last = try await poll(record, nameserver: nameserver.name, address: address, policy: policy, deadline: deadline, events: events)
                        return last == .visible ? nil : .init(fqdn: record.fqdn, value: record.value, nameserver: nameserver.name, address: address, lastAnswer: last)
                    }
                }
            }
            var missing: [PropagationTimeoutError.Pending] = []
            for try await item in group { if let item { missing.append(item) } }
            return missing.sorted { ($0.nameserver, $0.address.host) < ($1.nameserver, $1.address.host) }
        }
        if missing.isEmpty { events(.recordVisible(fqdn: record.fqdn, value: record.value)) }
        return missing
    }

    /// Polls one address until it serves the value or the deadline passes; returns its last answer.
    static func poll(_ record: RecordExpectation, nameserver: String, address: DNSServer, policy: PropagationPolicy, deadline: ContinuousClock.Instant, events: @escaping @Sendable (PropagationEvent) -> Void) async throws -> NameserverAnswer {
        var attempt = 0
        var last = NameserverAnswer.notAsked
        while true {
            last = await ask(address, for: record, timeout: policy.queryTimeout)
            try Task.checkCancellation()
            events(.answer(fqdn: record.fqdn, value: record.value, nameserver: nameserver, address: address, answer: last))
            logger.trace("\(nameserver) (\(address)) for \(record.fqdn): \(last)")
            if last == .visible { return last }
            let now = ContinuousClock.now
            guard now < deadline else { return last }
            try await Task.sleep(for: min(policy.backoff.delay(afterAttempt: attempt), deadline - now))
            attempt += 1
        }
    }

    /// One direct, non-recursive TXT query, classified.
    static func ask(_ address: DNSServer, for record: RecordExpectation, timeout: Duration) async -> NameserverAnswer {
        do {
            let response = try await DNSResolver.query(record.fqdn, .txt, server: address, recursion: false, timeout: timeout, ednsUDPSize: 1232)
            switch response.rcode {
            case .noError, .nameError:
                let values = response.txtValues(at: record.fqdn)
                return values.contains(record.value) ? .visible : .notYet(rcode: response.rcode, values: values.sorted())
            default:
                return .failed(rcode: response.rcode)
            }
        } catch let error as DNSError {
            return .unreachable(error.code == .timeout ? "timeout (no answer within \(timeout.formatted()))" : error.message)
        } catch {
            return .unreachable("\(error)")
        }
    }
}
