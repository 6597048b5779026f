import Foundation

/// `status -o prometheus`: the report in the Prometheus text exposition format (0.0.4), for a
/// Pushgateway or node-exporter's textfile collector. Metric names follow cert-manager's
/// (`certmanager_certificate_expiration_timestamp_seconds`, …) under the prefix
/// `kubectl_certs_`; every series has the labels namespace, name (`ingress/web`), secret,
/// issuer and manager.
enum PrometheusExposition {
    static let expiration = "kubectl_certs_certificate_expiration_timestamp_seconds"
    static let renewal = "kubectl_certs_certificate_renewal_timestamp_seconds"
    static let state = "kubectl_certs_certificate_state"

    static func render(_ rows: [StatusRow]) -> String {
        let rows = distinct(rows)
        var text = ""
        func family(_ name: String, help: String, _ samples: [(labels: [(String, String)], value: Int64)]) {
            text += "# HELP \(name) \(help)\n# TYPE \(name) gauge\n"
            for sample in samples {
                let labels = sample.labels.map { "\($0.0)=\"\(escaped($0.1))\"" }.joined(separator: ",")
                text += "\(name){\(labels)} \(sample.value)\n"
            }
        }
        family(expiration, help: "When the certificate expires (its notAfter), in seconds since the Unix epoch.",
               rows.compactMap { row in row.notAfter.map { (labels(row), seconds($0)) } })
        family(renewal, help: "When the certificate is due for renewal (cert-manager's renewalTime, --within before expiry, or two thirds into its life), in seconds since the Unix epoch.",
               rows.compactMap { row in row.renewalTime.map { (labels(row), seconds($0)) } })
        family(state, help: "1 for the state the certificate is in, 0 for the others (Missing, Invalid, Expired, NotYetValid, Uncovered, NotReady, Expiring, Valid).",
               rows.flatMap { row in HealthState.allCases.map { (labels(row) + [("state", $0.rawValue)], $0 == row.state ? 1 : 0) } })
        return text
    }

    /// One row per namespace, name and secret, so no series repeats: an Ingress that names one
    /// Secret in two TLS entries keeps the more urgent state of the two.
    private static func distinct(_ rows: [StatusRow]) -> [StatusRow] {
        var seen: [[String]: Int] = [:]
        var kept: [StatusRow] = []
        for row in rows {
            let key = [row.namespace, row.name, row.secret]
            if let index = seen[key] {
                if row.state < kept[index].state { kept[index] = row }
            } else {
                seen[key] = kept.count
                kept.append(row)
            }
        }
        return kept.sorted { ($0.namespace, $0.name, $0.secret) < ($1.namespace, $1.name, $1.secret) }
    }

    private static func labels(_ row: StatusRow) -> [(String, String)] {
        [("namespace", row.namespace), ("name", row.name), ("secret", row.secret), ("issuer", row.issuer ?? ""), ("manager", row.manager)]
    }

    /// A label value as the format quotes it: backslash, double quote and newline escaped.
    static func escaped(_ value: String) -> String {
        // By scalar, not Character: "\r\n" is one Character and must not hide its newline.
        var result = ""
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\\": result += "\\\\"
            case "\"": result += "\\\""
            case "\n": result += "\\n"
            default: result.unicodeScalars.append(scalar)
            }
        }
        return result
    }

    /// Whole seconds since the epoch, as `-o json` gives its dates (bounded before the
    /// conversion, which traps on huge values).
    private static func seconds(_ date: Date) -> Int64 {
        Int64(min(max(date.timeIntervalSince1970.rounded(.down), -1e15), 1e15))
    }
}
