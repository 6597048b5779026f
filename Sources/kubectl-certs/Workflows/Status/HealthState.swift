/// What `status` says of one certificate, most urgent first.
enum HealthState: String, CaseIterable, Codable, Sendable, Comparable {
    /// The Secret does not exist.
    case missing = "Missing"
    /// The certificate does not parse, does not match its key, or lacks its intermediate.
    case invalid = "Invalid"
    case expired = "Expired"
    case notYetValid = "NotYetValid"
    /// Some hosts that use the Secret are not covered by the certificate.
    case uncovered = "Uncovered"
    /// cert-manager's Certificate is not Ready.
    case notReady = "NotReady"
    /// Inside `--within`, or the last third of its lifetime.
    case expiring = "Expiring"
    case valid = "Valid"

    static func < (lhs: HealthState, rhs: HealthState) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }

    /// Parses `--fail-on` names without regard to case.
    init?(name: String) {
        guard let state = Self.allCases.first(where: { $0.rawValue.lowercased() == name.lowercased() }) else { return nil }
        self = state
    }
}
