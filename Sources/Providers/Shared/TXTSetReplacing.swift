internal import DNS01

/// An adapter for an API that replaces a name's TXT values whole: present and cleanup are
/// merges of that set, done by the adapter's `replaceTXTValues` (read, merge, write with the
/// API's precondition, read back).
protocol TXTSetReplacing: DNSProviderAdapter {
    /// Reads the TXT values at the record's name, lets `merge` give the new values (nil: the
    /// set is already as wanted), and writes them.
    func replaceTXTValues(_ record: ChallengeRecord, doing: String, merge: @escaping @Sendable ([String]) -> [String]?) async throws
}

extension TXTSetReplacing {
    public func present(_ record: ChallengeRecord) async throws {
        let value = record.value
        try await replaceTXTValues(record, doing: "adding TXT \"\(value)\" at \(record.fqdn) in zone \(record.zone)") { values in
            values.contains(value) ? nil : values + [value]
        }
    }

    public func cleanUp(_ record: ChallengeRecord) async throws {
        let value = record.value
        try await replaceTXTValues(record, doing: "deleting TXT \"\(value)\" at \(record.fqdn) in zone \(record.zone)") { values in
            values.contains(value) ? values.filter { $0 != value } : nil
        }
    }
}
