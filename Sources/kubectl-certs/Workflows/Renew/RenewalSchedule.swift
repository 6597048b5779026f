import CertCore
import Foundation

/// When a certificate is due: at once when there is none, it is expired or no longer has the
/// names it should; when `--within` is given and it expires within that long; otherwise at a
/// random time inside the CA's ARI window (RFC 9773 §4.2) when the CA offers one, else when
/// the last third of its lifetime begins.
struct RenewalSchedule {
    var now: Date
    var within: Duration?

    enum Decision: Sendable, Equatable {
        case due(String)
        case notDue(until: Date, String)
    }

    /// Due whatever the CA says: no certificate, expired, missing names, or within `--within`.
    func urgent(leaf: Certificate?, names: [String]) -> Decision? {
        guard let leaf else { return .due("the Secret holds no certificate") }
        if now >= leaf.notAfter { return .due("expired \(RFC3339.string(leaf.notAfter))") }
        let held = Set(leaf.dnsNames.map(Punycode.asciiDomain))
        let missing = names.map(Punycode.asciiDomain).filter { !held.contains($0) }
        if !missing.isEmpty { return .due("not issued for \(missing.joined(separator: ", "))") }
        if let within, now >= leaf.notAfter.addingTimeInterval(-within.seconds) {
            return .due("expires \(RFC3339.string(leaf.notAfter)), within \(within.text)")
        }
        return nil
    }

    /// The whole decision; `window` is the CA's renewal window when it offers one.
    func decide(leaf: Certificate?, names: [String], window: ACMERenewalInfo?) -> Decision {
        if let urgent = urgent(leaf: leaf, names: names) { return urgent }
        guard let leaf else { return .due("the Secret holds no certificate") }
        if let window {
            let chosen = window.randomTimeInWindow()
            let range = "\(RFC3339.string(window.windowStart)) to \(RFC3339.string(window.windowEnd))"
            if now >= chosen { return .due("inside the CA's renewal window (\(range))") }
            return .notDue(until: chosen, "the CA's renewal window is \(range)")
        }
        if let within { return .notDue(until: leaf.notAfter.addingTimeInterval(-within.seconds), "expires \(RFC3339.string(leaf.notAfter)), not within \(within.text)") }
        let lastThird = leaf.notAfter.addingTimeInterval(-leaf.notAfter.timeIntervalSince(leaf.notBefore) / 3)
        if now >= lastThird { return .due("in the last third of its lifetime (expires \(RFC3339.string(leaf.notAfter)))") }
        return .notDue(until: lastThird, "the last third of its lifetime starts then")
    }
}

extension Duration {
    /// A duration as a person reads it: 720h, 30m, 45s.
    var text: String {
        let seconds = Int(self.seconds)
        if seconds % 86400 == 0 { return "\(seconds / 86400)d" }
        if seconds % 3600 == 0 { return "\(seconds / 3600)h" }
        if seconds % 60 == 0 { return "\(seconds / 60)m" }
        return "\(seconds)s"
    }
}
