import CertCore
import Foundation

/// Decides a row's state from the Secret's facts, the hosts that use it and cert-manager's
/// Ready condition.
struct StatusEvaluation {
    var now: Date
    /// `--within`; nil means the last third of the certificate's lifetime.
    var within: Duration?

    enum SecretContents {
        case missing
        case unusable(String)
        case parsed(CertificateFacts)
    }

    func evaluate(_ contents: SecretContents, secretName: String, hosts: [String], ready: ObjectCondition?) -> (HealthState, String?) {
        let facts: CertificateFacts
        switch contents {
        case .missing: return (.missing, "Secret \(secretName) does not exist")
        case .unusable(let reason): return (.invalid, reason)
        case .parsed(let parsed): facts = parsed
        }
        if !facts.keyMatches { return (.invalid, "tls.key is missing or does not match the certificate") }
        if let problem = facts.chainProblem { return (.invalid, problem) }
        let leaf = facts.leaf
        if now >= leaf.notAfter { return (.expired, "expired \(Self.age(now.timeIntervalSince(leaf.notAfter))) ago") }
        if now < leaf.notBefore { return (.notYetValid, "valid from \(RFC3339.string(leaf.notBefore))") }
        let uncovered = HostCoverage.uncovered(hosts, by: leaf.dnsNames)
        if !uncovered.isEmpty { return (.uncovered, "not covered: \(uncovered.joined(separator: ", "))") }
        if let ready, ready.status != "True" {
            return (.notReady, [ready.reason, ready.message].compactMap { $0 }.joined(separator: ": "))
        }
        if now >= renewalTime(leaf) { return (.expiring, "expires in \(Self.age(leaf.notAfter.timeIntervalSince(now)))") }
        return (.valid, nil)
    }

    /// When the certificate counts as expiring.
    func renewalTime(_ leaf: Certificate) -> Date {
        if let within { return leaf.notAfter.addingTimeInterval(-within.seconds) }
        return leaf.notAfter.addingTimeInterval(-leaf.notAfter.timeIntervalSince(leaf.notBefore) / 3)
    }

    /// "3d", "5h", "12m", "40s".
    static func age(_ interval: TimeInterval) -> String {
        // Bounded before the conversion, which traps on huge or non-finite values.
        let seconds = interval.isFinite ? Int(min(max(0, interval), 1e15)) : 0
        if seconds >= 86400 * 2 { return "\(seconds / 86400)d" }
        if seconds >= 3600 * 2 { return "\(seconds / 3600)h" }
        if seconds >= 120 { return "\(seconds / 60)m" }
        return "\(seconds)s"
    }
}
