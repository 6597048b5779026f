import CertCore
import Foundation

/// What `renew` did with one certificate.
struct RenewalResult: Codable, Sendable {
    enum Outcome: String, Codable, Sendable {
        case renewed
        /// Not due yet (see `dueAt`).
        case notDue
        /// Due; `--dry-run` renewed nothing.
        case due
        /// Another run holds its Lease.
        case skipped
        case failed
    }

    var namespace: String
    var secret: String
    var names: [String]
    var outcome: Outcome
    /// Why it was (or was not) due, or why it failed.
    var reason: String
    /// When it becomes due.
    var dueAt: Date?
    /// The expiry of the certificate the Secret now holds.
    var notAfter: Date?
    /// The new certificate's serial, when renewed.
    var serial: String?
}

/// The summary `renew` prints: a table for people, JSON or YAML for machines.
struct RenewalReport: Codable {
    var items: [RenewalResult]

    var failed: Int { items.filter { $0.outcome == .failed }.count }

    enum Format: String, CaseIterable {
        case table, json, yaml
    }

    func render(_ format: Format) throws -> String {
        switch format {
        case .json:
            return try MachineReadable.json(self)
        case .yaml:
            return try MachineReadable.yaml(self)
        case .table:
            return table()
        }
    }

    private func table() -> String {
        if items.isEmpty { return "No certificates to renew.\n" }
        let header = ["NAMESPACE", "SECRET", "NAMES", "RESULT", "DETAIL"]
        let rows = items.map { item in [item.namespace, item.secret, Self.names(item.names), Self.word(item.outcome), Self.detail(item)] }
        return TextTable.render([header] + rows)
    }

    private static func names(_ names: [String]) -> String {
        names.count > 2 ? names.prefix(2).joined(separator: ",") + ",+\(names.count - 2)" : names.joined(separator: ",")
    }

    private static func word(_ outcome: RenewalResult.Outcome) -> String {
        switch outcome {
        case .renewed: return "renewed"
        case .notDue: return "not due"
        case .due: return "due"
        case .skipped: return "skipped"
        case .failed: return "failed"
        }
    }

    private static func detail(_ item: RenewalResult) -> String {
        switch item.outcome {
        case .renewed: return "expires \(item.notAfter.map(RFC3339.string) ?? "?") (\(item.reason))"
        case .notDue: return "until \(item.dueAt.map(RFC3339.string) ?? "?"): \(item.reason)"
        case .due, .skipped, .failed: return item.reason
        }
    }
}
