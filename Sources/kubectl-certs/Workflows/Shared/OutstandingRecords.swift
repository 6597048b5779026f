import DNS01
import Synchronization

/// The challenge records a run may have left on DNS servers, and the HTTP-01 solver objects it
/// may have left in the cluster: noted when planned or presented, dropped once removed. What an
/// interrupted run reports when its cleanup does not finish.
final class OutstandingRecords: Sendable {
    private struct Key: Hashable {
        var fqdn: String
        var value: String

        init(_ record: ChallengeRecord) {
            fqdn = record.fqdn.lowercased()
            value = record.value
        }

        /// A solver set: no DNS name has a space in it, so it never meets a record's key.
        init(_ set: PendingOrder.SolverSet) {
            fqdn = "http01 \(set.namespace)/\(set.name)"
            value = ""
        }
    }

    private struct Entry {
        var description: String
        /// Presented, or its removal failed: it may well be on a server. Otherwise it was only
        /// planned, and is on none unless its publication is under way.
        var published: Bool
    }

    private struct State {
        var entries: [Key: Entry] = [:]
        var order: [Key] = []
        var keptIn: String?
    }

    private let state = Mutex(State())

    /// Notes a record about to be published through `via` (a provider, as a person names it),
    /// or — `published` — one that may be on a server already.
    func add(_ record: ChallengeRecord, via: String, published: Bool = false) {
        state.withLock { state in
            let key = Key(record)
            if state.entries[key] == nil { state.order.append(key) }
            let wasPublished = state.entries[key]?.published ?? false
            state.entries[key] = Entry(description: "TXT \(record.fqdn) \(ProgressDisplay.short(record.value)) (\(via))", published: published || wasPublished)
        }
    }

    /// Notes an HTTP-01 solver set about to be created; it counts as present until removed.
    func add(_ set: PendingOrder.SolverSet) {
        state.withLock { state in
            let key = Key(set)
            if state.entries[key] == nil { state.order.append(key) }
            state.entries[key] = Entry(description: set.description, published: true)
        }
    }

    func contains(_ set: PendingOrder.SolverSet) -> Bool { contains(Key(set)) }

    func removed(_ set: PendingOrder.SolverSet) { removed(Key(set)) }

    /// Forgets those of `records` never published: once their solve is over, they are on no server.
    func forgetUnpublished(_ records: [ChallengeRecord]) {
        state.withLock { state in
            for key in records.map(Key.init) where state.entries[key]?.published == false {
                state.entries[key] = nil
                state.order.removeAll { $0 == key }
            }
        }
    }

    func contains(_ record: ChallengeRecord) -> Bool { contains(Key(record)) }

    func removed(_ record: ChallengeRecord) { removed(Key(record)) }

    private func contains(_ key: Key) -> Bool {
        state.withLock { $0.entries[key] != nil }
    }

    private func removed(_ key: Key) {
        state.withLock { state in
            state.entries[key] = nil
            state.order.removeAll { $0 == key }
        }
    }

    /// Follows a DNS-01 solve: what it presents or fails to remove is outstanding, what it
    /// removes is not.
    func observe(_ event: DNS01Event, via: String) {
        switch event {
        case .presented(let record), .cleanupFailed(let record, _): add(record, via: via, published: true)
        case .cleanedUp(let record): removed(record)
        case .discovered, .propagation: break
        }
    }

    /// Where the records are written down for a later run to remove, as a clause
    /// ("they are recorded in …").
    var keptIn: String? {
        get { state.withLock { $0.keptIn } }
        set { state.withLock { $0.keptIn = newValue } }
    }

    /// One phrase per record, in the order they were noted.
    var descriptions: [String] {
        state.withLock { state in state.order.compactMap { state.entries[$0]?.description } }
    }

    /// "TXT a (rfc2136), TXT b (rfc2136); kept in …", or nil when nothing is left.
    var summary: String? {
        let descriptions = descriptions
        guard !descriptions.isEmpty else { return nil }
        let kept = keptIn.map { "; \($0)" } ?? ""
        return descriptions.joined(separator: ", ") + kept
    }
}
