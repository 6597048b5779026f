import DNS01
import Foundation
import Synchronization

/// The terminal block of `ProgressDisplay`: one line per name, redrawn in place with ANSI cursor moves.
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

    /// Shows these names: instead of the ones shown, or (several certificates at once) beside them.
    func begin(names: [String], stage: String, beside: Bool = false) {
        state.withLock { state in
            state.names = beside ? state.names + names.filter { !state.names.contains($0) } : names
            for name in names { state.stages[name] = stage }
            redraw(&state)
        }
    }

    var names: [String] { state.withLock { $0.names } }

    /// Takes a finished certificate's names off the board.
    func remove(names: [String]) {
        state.withLock { state in
            state.names.removeAll { names.contains($0) }
            for name in names {
                state.stages[name] = nil
                state.servers[name] = nil
            }
            redraw(&state)
        }
    }

    func set(stage: String, for names: [String]) {
        state.withLock { state in
            for name in names { state.stages[name] = stage }
            redraw(&state)
        }
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
