import DNS01
import Foundation
import Synchronization

/// Progress of an issuance on stderr. On a terminal, a block with one line per name that
/// moves through its steps — ordered, TXT published, each nameserver ticked off, valid,
/// finalized, stored — redrawn in place, with other news printed above it. Elsewhere (CI logs,
/// CronJobs, pipes), one plain timestamped line per step.
final class Progress: Sendable {
    private let board: LiveBoard?
    private let started = ContinuousClock.now
    /// (fqdn, value, nameserver address) already reported as serving, for the plain lines.
    private let served = Mutex<Set<String>>([])

    init(live: Bool = isatty(STDERR_FILENO) == 1 && ProcessInfo.processInfo.environment["TERM"] != "dumb") {
        self.board = live ? LiveBoard() : nil
    }

    func note(_ text: String) {
        let elapsed = ContinuousClock.now - started
        let line = String(format: "[%6.1fs] %@", elapsed.seconds, text)
        if let board { board.printAbove(line) } else { FileHandle.standardError.write(Data((line + "\n").utf8)) }
    }

    /// The names of an order: on a terminal, each gets its line.
    func begin(names: [String], stage: String) {
        board?.begin(names: names, stage: stage)
    }

    /// One name reached a step.
    func stage(_ name: String, _ text: String) {
        if let board { board.set(stage: text, for: [name]) } else { note("\(name): \(text)") }
    }

    /// Every name of the order reached a step.
    func stageAll(_ text: String) {
        if let board { board.setAll(stage: text) } else { note(text) }
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

/// The terminal block of `Progress`: one line per name, redrawn in place with ANSI cursor moves.
final class LiveBoard: Sendable {
    private struct State {
        var names: [String] = []
        var stages: [String: String] = [:]
        /// Per name, each nameserver address and whether it serves the name's value yet.
        var servers: [String: [(address: String, serves: Bool)]] = [:]
        /// Which names publish at each record name (a name and its wildcard share one).
        var namesAt: [String: [String]] = [:]
        var drawn = 0
    }

    private let state = Mutex(State())

    func begin(names: [String], stage: String) {
        state.withLock { state in
            state.names = names
            for name in names { state.stages[name] = stage }
            redraw(&state)
        }
    }

    func set(stage: String, for names: [String]) {
        state.withLock { state in
            for name in names { state.stages[name] = stage }
            redraw(&state)
        }
    }

    func setAll(stage: String) {
        set(stage: stage, for: state.withLock { $0.names })
    }

    func printAbove(_ line: String) {
        state.withLock { state in
            var text = erase(state.drawn)
            text += line + "\n"
            state.drawn = 0
            FileHandle.standardError.write(Data(text.utf8))
            redraw(&state)
        }
    }

    func dns(_ event: DNS01Event) {
        state.withLock { state in
            switch event {
            case .discovered(let target):
                // Discovery runs once per challenge name; a name and its wildcard share it.
                let names = state.names.filter { DNSName.challengeName(for: $0) == target.challengeName }
                let servers = target.nameservers.flatMap { server in
                    server.addresses.map { _ in (address: server.name.hasSuffix(".") ? String(server.name.dropLast()) : server.name, serves: false) }
                }
                state.namesAt[target.fqdn, default: []] += names
                for name in names {
                    state.servers[name] = servers
                    state.stages[name] = "zone \(target.zone)"
                }
            case .presented(let record):
                for name in state.namesAt[record.fqdn] ?? [] { state.stages[name] = "TXT published, propagating" }
            case .propagation(.answer(let fqdn, _, let nameserver, _, .visible)):
                let server = nameserver.hasSuffix(".") ? String(nameserver.dropLast()) : nameserver
                for name in state.namesAt[fqdn] ?? [] {
                    if let index = state.servers[name]?.firstIndex(where: { $0.address == server && !$0.serves }) {
                        state.servers[name]?[index].serves = true
                    }
                }
            case .propagation(.recordVisible(let fqdn, _)):
                for name in state.namesAt[fqdn] ?? [] { state.stages[name] = "served by every nameserver" }
            case .propagation(.waiting(let duration)):
                for name in state.names { state.stages[name] = "waiting \(duration) for propagation" }
            case .cleanedUp, .cleanupFailed, .propagation(.answer):
                break
            }
            redraw(&state)
        }
    }

    private func redraw(_ state: inout State) {
        let width = state.names.map(\.count).max() ?? 0
        var text = erase(state.drawn)
        for name in state.names {
            var line = "  \(name.padding(toLength: width, withPad: " ", startingAt: 0))  \(state.stages[name] ?? "")"
            if let servers = state.servers[name], !servers.isEmpty {
                line += "  " + servers.map { "\($0.address) \($0.serves ? "✓" : "…")" }.joined(separator: "  ")
            }
            text += line + "\n"
        }
        state.drawn = state.names.count
        FileHandle.standardError.write(Data(text.utf8))
    }

    /// Moves the cursor up over the lines drawn before and clears from there down.
    private func erase(_ lines: Int) -> String {
        lines == 0 ? "" : "\u{1B}[\(lines)A\r\u{1B}[J"
    }
}
