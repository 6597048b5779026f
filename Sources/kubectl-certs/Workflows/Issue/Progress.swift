import DNS01
import Foundation
import Synchronization

/// Progress of an issuance on stderr: one plain line per step, so it reads the same on a
/// terminal, in a CI log and in a CronJob's output.
final class Progress: Sendable {
    let quiet: Bool
    private let started = ContinuousClock.now
    /// (fqdn, value, nameserver address) already reported as serving.
    private let served = Mutex<Set<String>>([])

    init(quiet: Bool = false) {
        self.quiet = quiet
    }

    func note(_ text: String) {
        guard !quiet else { return }
        let elapsed = ContinuousClock.now - started
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        FileHandle.standardError.write(Data(String(format: "[%6.1fs] %@\n", seconds, text).utf8))
    }

    /// The start of a TXT value, enough to tell two values at one name apart.
    static func short(_ value: String) -> String {
        value.count > 10 ? "\"\(value.prefix(8))…\"" : "\"\(value)\""
    }

    /// The DNS-01 engine's events, in words.
    func dns(_ event: DNS01Event) {
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
