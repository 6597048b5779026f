import CertCore
import Foundation

/// Writes a status report as a table (`-o table|wide`), JSON, YAML or Prometheus metrics, or
/// one target in detail.
struct StatusRenderer {
    enum Format: String, CaseIterable {
        case table, wide, json, yaml, prometheus
    }

    var format: Format
    var colour: Bool
    var now: Date

    func render(_ report: StatusReport) throws -> String {
        switch format {
        case .json:
            return try MachineReadable.json(report)
        case .yaml:
            return try MachineReadable.yaml(report)
        case .prometheus:
            return PrometheusExposition.render(report.items)
        case .table, .wide:
            return table(report.items, wide: format == .wide)
        }
    }

    private func table(_ rows: [StatusRow], wide: Bool) -> String {
        if rows.isEmpty { return "No certificates found.\n" }
        var header = ["NAMESPACE", "NAME", "HOSTS", "SECRET", "ISSUER", "EXPIRES", "STATE"]
        if wide { header += ["SERIAL", "KEY", "MANAGER", "RENEWAL"] }
        var lines = [header]
        for row in rows {
            var cells = [
                row.namespace, row.name, hostsCell(row.hosts), row.secret, row.issuer ?? "-",
                row.notAfter.map(expires) ?? "-", row.state.rawValue,
            ]
            if wide {
                cells += [row.serial ?? "-", row.key ?? "-", row.manager, row.renewalTime.map(RFC3339.day) ?? "-"]
            }
            lines.append(cells)
        }
        let stateColumn = header.firstIndex(of: "STATE")!
        return TextTable.render(lines) { row, column, padded in
            guard colour, row > 0, column == stateColumn, let state = HealthState(rawValue: lines[row][column]) else { return padded }
            return Self.paint(padded, state)
        }
    }

    /// Everything known about one row, and what to do next when something is wrong.
    func detail(_ row: StatusRow) -> String {
        var lines: [String] = []
        func field(_ name: String, _ value: String?) {
            lines.append("\((name + ":").padding(toLength: 14, withPad: " ", startingAt: 0))\(value ?? "-")")
        }
        field("Name", "\(row.namespace)/\(row.name)")
        field("State", colour ? Self.paint(row.state.rawValue, row.state) : row.state.rawValue)
        if let reason = row.reason { field("Reason", reason) }
        field("Secret", row.secret)
        field("Hosts", row.hosts.isEmpty ? nil : row.hosts.joined(separator: ", "))
        field("DNS names", row.dnsNames.isEmpty ? nil : row.dnsNames.joined(separator: ", "))
        field("Issuer", row.issuer)
        field("Valid from", row.notBefore.map(RFC3339.day))
        field("Expires", row.notAfter.map(expires))
        field("Renewal", row.renewalTime.map(RFC3339.day))
        field("Serial", row.serial)
        field("Key", row.key)
        field("Managed by", row.manager)
        if !row.chain.isEmpty {
            lines.append("Chain:")
            for (index, entry) in row.chain.enumerated() {
                lines.append("  \(index). \(entry.subject)  (issuer \(entry.issuer); expires \(RFC3339.day(entry.notAfter)))")
            }
        }
        if !row.conditions.isEmpty {
            lines.append("Conditions:")
            for condition in row.conditions {
                lines.append("  \(condition.type)=\(condition.status)" + [condition.reason, condition.message].compactMap { $0 }.map { "  \($0)" }.joined())
            }
        }
        if let advice = Self.advice(row) { lines.append("Next:         \(advice)") }
        return lines.joined(separator: "\n") + "\n"
    }

    static func advice(_ row: StatusRow) -> String? {
        let target = row.name.hasPrefix("secret/") ? "-d NAME... --secret \(row.secret)" : row.name
        switch row.state {
        case .valid: return nil
        case .missing, .expired, .expiring, .uncovered:
            return "kubectl certs issue \(target) -n \(row.namespace)"
        case .invalid:
            return "fix or re-issue the certificate: kubectl certs issue \(target) -n \(row.namespace)"
        case .notYetValid:
            return "check the clocks of the issuer and this machine; the certificate starts later"
        case .notReady:
            return "kubectl describe \(row.name) -n \(row.namespace) shows what cert-manager is waiting for"
        }
    }

    private func hostsCell(_ hosts: [String]) -> String {
        guard let first = hosts.first else { return "-" }
        return hosts.count == 1 ? first : "\(first) +\(hosts.count - 1)"
    }

    private func expires(_ date: Date) -> String {
        let interval = date.timeIntervalSince(now)
        let relative = interval >= 0 ? "in " + StatusEvaluation.age(interval) : StatusEvaluation.age(-interval) + " ago"
        return "\(RFC3339.day(date)) (\(relative))"
    }

    static func paint(_ text: String, _ state: HealthState) -> String {
        let code: String
        switch state {
        case .valid: code = "32"
        case .expiring, .notReady, .notYetValid, .uncovered: code = "33"
        case .missing, .invalid, .expired: code = "31"
        }
        return "\u{1B}[\(code)m\(text)\u{1B}[0m"
    }
}
