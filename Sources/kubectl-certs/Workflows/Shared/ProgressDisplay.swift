import DNS01
import Foundation
import Synchronization

/// Progress of an issuance on stderr. On a terminal, a block with one line per name that
/// moves through its steps — ordered, TXT published, each nameserver ticked off, valid,
/// finalized, stored — redrawn in place, with other news printed above it. Elsewhere (CI logs,
/// CronJobs, pipes), one plain timestamped line per step.
final class ProgressDisplay: Sendable {
    private let board: LiveBoard?
    private let started: ContinuousClock.Instant
    /// (fqdn, value, nameserver address) already reported as serving, for the plain lines.
    private let served = Mutex<Set<String>>([])
    /// A certificate's own display among several on one board (`renew`): its names.
    private let scope: Mutex<[String]?>
    /// What this display's plain lines are about, when several certificates share stderr.
    private let subject: String?

    init(live: Bool = isatty(STDERR_FILENO) == 1 && ProcessInfo.processInfo.environment["TERM"] != "dumb") {
        self.board = live ? LiveBoard() : nil
        self.started = ContinuousClock.now
        self.scope = Mutex(nil)
        self.subject = nil
    }

    private init(board: LiveBoard?, started: ContinuousClock.Instant, subject: String) {
        self.board = board
        self.started = started
        self.scope = Mutex([])
        self.subject = subject
    }

    /// A display for one of several certificates worked on at once: its lines join the board
    /// beside the others' and leave it with `end()`.
    func certificate(_ subject: String) -> ProgressDisplay {
        ProgressDisplay(board: board, started: started, subject: subject)
    }

    /// The certificate of `certificate()` is done: its lines leave the board.
    func end() {
        guard let names = scope.withLock({ $0 }) else { return }
        board?.remove(names: names)
    }

    func note(_ text: String) {
        let elapsed = ContinuousClock.now - started
        let line = String(format: "[%6.1fs] %@", elapsed.seconds, subject.map { "\($0): \(text)" } ?? text)
        if let board { board.printAbove(line) } else { FileHandle.standardError.write(Data((line + "\n").utf8)) }
    }

    /// The names of an order: on a terminal, each gets its line.
    func begin(names: [String], stage: String) {
        let scoped = scope.withLock { scope in
            guard scope != nil else { return false }
            scope = names
            return true
        }
        board?.begin(names: names, stage: stage, beside: scoped)
    }

    /// One name reached a step.
    func stage(_ name: String, _ text: String) {
        if let board { board.set(stage: text, for: [name]) } else { note("\(name): \(text)") }
    }

    /// Every name of the order reached a step.
    func stageAll(_ text: String) {
        guard let board else { return note(text) }
        board.set(stage: text, for: scope.withLock { $0 } ?? board.names)
    }

    /// The start of a TXT value, enough to tell two values at one name apart.
    static func short(_ value: String) -> String {
        value.count > 10 ? "\"\(value.prefix(8))…\"" : "\"\(value)\""
    }

    /// The DNS-01 engine's events: on the board, or in words.
    func dns(_ event: DNS01Event) {
        if let board {
            board.dns(event)
            if case .cleanupFailed(let record, let message) = event { note("could not remove TXT \(record.fqdn): \(message)") }
            return
        }
        switch event {
        case .discovered(let target):
            let via = target.cnameChain.isEmpty ? "" : " via CNAME \(target.cnameChain.joined(separator: " -> "))"
            note("\(target.domain): zone \(target.zone)\(via), nameservers \(target.nameservers.map(\.description).joined(separator: ", "))")
        case .presented(let record):
            note("TXT published: \(record.fqdn) \(Self.short(record.value))")
        case .propagation(.answer(let fqdn, let value, let nameserver, let address, .visible)):
            let key = "\(fqdn) \(value) \(address)"
            if served.withLock({ $0.insert(key).inserted }) { note("  \(nameserver) (\(address)) serves \(fqdn) \(Self.short(value))") }
        case .propagation(.answer):
            break
        case .propagation(.recordVisible(let fqdn, let value)):
            note("every nameserver serves \(fqdn) \(Self.short(value))")
        case .propagation(.waiting(let duration)):
            note("waiting \(duration) for propagation (not checking)")
        case .cleanedUp(let record):
            note("TXT removed: \(record.fqdn) \(Self.short(record.value))")
        case .cleanupFailed(let record, let message):
            note("could not remove TXT \(record.fqdn): \(message)")
        }
    }
}
