@testable import kubectl_certs
import CertCore
import Foundation
import TestSupport
import Testing

/// `status -o prometheus` read back by a real Prometheus text parser: the `prometheus-client`
/// Python package's (Debian's python3-prometheus-client, for the system Python).
@Suite(.lab) struct PrometheusExpositionTests {
    struct Family: Decodable, Equatable {
        var name: String
        var type: String
        var help: String
        var samples: [Sample]
    }

    struct Sample: Decodable, Equatable, Hashable {
        var name: String
        var labels: [String: String]
        var value: Double
    }

    static let parser = """
        import json, sys
        from prometheus_client.parser import text_string_to_metric_families
        families = [{"name": f.name, "type": f.type, "help": f.documentation,
                     "samples": [{"name": s.name, "labels": s.labels, "value": s.value} for s in f.samples]}
                    for f in text_string_to_metric_families(sys.stdin.read())]
        json.dump(families, sys.stdout)
        """

    /// The families the parser finds in `text`, in order.
    static func parse(_ text: String) async throws -> [Family] {
        let python = "/usr/bin/python3"
        let result = try await Subprocess.run(python, ["-c", parser], input: Data(text.utf8))
        try #require(result.status == 0, "\(python) could not parse (install python3-prometheus-client: scripts/install-deps.sh): \(result.stderr)")
        return try JSONDecoder().decode([Family].self, from: Data(result.stdout.utf8))
    }

    static let names = [PrometheusExposition.expiration, PrometheusExposition.renewal, PrometheusExposition.state]

    static func row(_ namespace: String, _ name: String, secret: String, _ state: HealthState, issuer: String?, manager: String, notAfter: TimeInterval?, renewal: TimeInterval?) -> StatusRow {
        StatusRow(namespace: namespace, name: name, hosts: [], secret: secret, state: state, issuer: issuer, dnsNames: [],
                  notAfter: notAfter.map(Date.init(timeIntervalSince1970:)), manager: manager,
                  renewalTime: renewal.map(Date.init(timeIntervalSince1970:)), uncoveredHosts: [], chain: [], conditions: [])
    }

    static let awkwardIssuer = "Lab \"Quoted\" CA\\Unit\nSecond line"
    static let rows = [
        row("shop", "ingress/web", secret: "web-tls", .valid, issuer: "R11", manager: "kubectl-certs", notAfter: 1_804_680_000, renewal: 1_802_088_000),
        row("shop", "certificate/api", secret: "api-tls", .expiring, issuer: awkwardIssuer, manager: "cert-manager", notAfter: 1_800_000_001, renewal: 1_799_999_000.5),
        row("billing", "secret/old-tls", secret: "old-tls", .expired, issuer: "E6", manager: "none", notAfter: 1_790_000_000, renewal: 1_785_000_000),
        row("billing", "ingress/pay", secret: "pay-tls", .missing, issuer: nil, manager: "none", notAfter: nil, renewal: nil),
    ]

    static func labels(_ row: StatusRow) -> [String: String] {
        ["namespace": row.namespace, "name": row.name, "secret": row.secret, "issuer": row.issuer ?? "", "manager": row.manager]
    }

    @Test func theParserReadsBackEveryFact() async throws {
        let text = PrometheusExposition.render(Self.rows)
        let families = try await Self.parse(text)
        #expect(families.map(\.name) == Self.names)
        #expect(families.allSatisfy { $0.type == "gauge" && !$0.help.isEmpty })

        let expiration = Set(Self.rows.compactMap { row in row.notAfter.map { Sample(name: Self.names[0], labels: Self.labels(row), value: $0.timeIntervalSince1970) } })
        #expect(Set(families[0].samples) == expiration)
        #expect(families[0].samples.count == 3, "no sample for the Missing certificate, which has no expiry")
        let renewal = Set(Self.rows.compactMap { row in row.renewalTime.map { Sample(name: Self.names[1], labels: Self.labels(row), value: $0.timeIntervalSince1970.rounded(.down)) } })
        // To the second, as -o json writes dates: the half second of certificate/api is dropped.
        #expect(Set(families[1].samples) == renewal)

        var state: Set<Sample> = []
        for row in Self.rows {
            for candidate in HealthState.allCases {
                state.insert(Sample(name: Self.names[2], labels: Self.labels(row).merging(["state": candidate.rawValue]) { $1 }, value: candidate == row.state ? 1 : 0))
            }
        }
        #expect(Set(families[2].samples) == state)
        #expect(families[2].samples.count == 4 * HealthState.allCases.count)
    }

    @Test func aLabelValueKeepsItsQuoteBackslashAndNewline() async throws {
        let families = try await Self.parse(PrometheusExposition.render(Self.rows))
        let api = families[0].samples.first { $0.labels["name"] == "certificate/api" }
        #expect(api?.labels["issuer"] == Self.awkwardIssuer)
        // Each sample on one line: the newline is written escaped.
        let text = PrometheusExposition.render(Self.rows)
        #expect(text.contains(#"issuer="Lab \"Quoted\" CA\\Unit\nSecond line""#))
        #expect(PrometheusExposition.escaped("a\r\nb") == "a\r\\nb")
    }

    @Test func eachFamilyOnceWithItsHelpAndType() {
        let text = PrometheusExposition.render(Self.rows)
        for name in Self.names {
            #expect(text.components(separatedBy: "# HELP \(name) ").count == 2)
            #expect(text.components(separatedBy: "# TYPE \(name) gauge\n").count == 2)
        }
        // Grouped: every line of a family comes before the next family's HELP.
        let lines = text.split(separator: "\n")
        let family = lines.map { line in Self.names.lastIndex { line.contains($0 + " ") || line.hasPrefix($0 + "{") } ?? -1 }
        #expect(!family.contains(-1), "every line belongs to a family:\n\(text)")
        #expect(family == family.sorted())
    }

    @Test func oneSeriesPerCertificateWhenAnIngressNamesItsSecretTwice() async throws {
        let twice = [
            Self.row("shop", "ingress/web", secret: "web-tls", .valid, issuer: "R11", manager: "none", notAfter: 1_804_680_000, renewal: 1_802_088_000),
            Self.row("shop", "ingress/web", secret: "web-tls", .uncovered, issuer: "R11", manager: "none", notAfter: 1_804_680_000, renewal: 1_802_088_000),
        ]
        let families = try await Self.parse(PrometheusExposition.render(twice))
        #expect(families[0].samples.count == 1)
        #expect(families[2].samples.filter { $0.value == 1 }.map { $0.labels["state"] } == ["Uncovered"])
    }

    @Test func theCommandPrintsTheFactsItsJSONHolds_AgainstKubeTestServer() async throws {
        let lab = try await StatusOutputLab.shared.value
        let metrics = try await lab.run(["status", "-n", lab.namespace, "-o", "prometheus"])
        #expect(metrics.status == 0, "\(metrics.stderr)")
        let json = try await lab.run(["status", "-n", lab.namespace, "-o", "json"])
        let items = try JSONValue.decode(Data(json.stdout.utf8))["items"]?.arrayValue ?? []
        #expect(items.count == 5)
        let families = try await Self.parse(metrics.stdout)
        #expect(families.map(\.name) == Self.names)
        for item in items {
            let name = try #require(item["name"]?.stringValue)
            let samples = families.map { $0.samples.filter { $0.labels["name"] == name } }
            for (index, field) in ["notAfter", "renewalTime"].enumerated() {
                if let text = item[field]?.stringValue {
                    #expect(samples[index].map(\.value) == [RFC3339.parse(text)!.timeIntervalSince1970], "\(name) \(field)")
                } else {
                    #expect(samples[index].isEmpty, "\(name) has no \(field)")
                }
            }
            #expect(samples[2].filter { $0.value == 1 }.map { $0.labels["state"] } == [item["state"]?.stringValue], "\(name)")
            #expect(samples[2].allSatisfy { $0.labels["namespace"] == lab.namespace && $0.labels["secret"] == item["secret"]?.stringValue })
        }
    }
}
