/// Whether a certificate's DNS names cover a host, by the rules TLS clients apply (RFC 6125
/// §6.4.3 as browsers implement it): names compare without case and without a trailing
/// dot; a wildcard stands for exactly one whole left-most label, never for the apex and
/// never for several labels.
enum HostCoverage {
    static func covers(_ certificateNames: [String], host: String) -> Bool {
        let host = normalize(host)
        return certificateNames.contains { matches(pattern: normalize($0), host: host) }
    }

    /// The hosts no name covers, in their given order.
    static func uncovered(_ hosts: [String], by certificateNames: [String]) -> [String] {
        hosts.filter { !covers(certificateNames, host: $0) }
    }

    static func matches(pattern: String, host: String) -> Bool {
        if pattern == host { return true }
        guard pattern.hasPrefix("*.") else { return false }
        let suffix = pattern.dropFirst(1)  // ".example.com"
        guard host.hasSuffix(suffix) else { return false }
        let label = host.dropLast(suffix.count)
        return !label.isEmpty && !label.contains(".") && !label.contains("*")
    }

    private static func normalize(_ name: String) -> String {
        var name = name.lowercased()
        if name.hasSuffix(".") { name.removeLast() }
        return name
    }
}
