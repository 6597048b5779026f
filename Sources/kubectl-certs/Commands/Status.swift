import ArgumentParser
import CertCore
import Foundation

extension KubectlCerts {
    struct Status: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show the health of every certificate in the cluster.",
            discussion: """
            Joins Ingresses, cert-manager Certificates and kubernetes.io/tls Secrets. States, most
            urgent first: Missing, Invalid, Expired, NotYetValid, Uncovered, NotReady, Expiring, Valid.

            Examples:
              # Every certificate in every namespace
              kubectl certs status -A

              # One Ingress, with the detail of each certificate it serves
              kubectl certs status ingress/web -n shop

              # In CI: exit 3 when a certificate is expired or missing
              kubectl certs status -A -o json --fail-on Expired,Missing

              # What expires when over the next 30 days, as a picture
              kubectl certs status -A --timeline --days 30

              # Metrics for a Prometheus textfile collector
              kubectl certs status -A -o prometheus
            """
        )

        @OptionGroup var global: GlobalOptions

        @Argument(help: "ingress/NAME, certificate/NAME or secret/NAME (ing/ and cert/ too); all when none.")
        var targets: [String] = []

        @Flag(name: [.customShort("A"), .long], help: "Every namespace.")
        var allNamespaces = false

        @Option(name: [.customShort("l"), .customLong("selector")], help: ArgumentHelp("Label selector, as kubectl takes it.", valueName: "SELECTOR"))
        var selector: String?

        @Option(name: .shortAndLong, help: "Output format: table, wide, json, yaml or prometheus.")
        var output: String = "table"

        @Flag(help: "Draw what expires when: one bar per certificate from today to its expiry, the renewal point marked.")
        var timeline = false

        @Option(help: ArgumentHelp("How many days the timeline spans (default: enough for the latest expiry, 7 to 90).", valueName: "N"))
        var days: Int?

        @Option(help: ArgumentHelp("Count as Expiring when it expires within this long (default: the last third of its lifetime).", valueName: "DURATION"))
        var within: String?

        @Option(name: .customLong("fail-on"), help: ArgumentHelp("Exit 3 when any certificate is in one of these states.", valueName: "STATE[,STATE...]"))
        var failOn: String?

        func validate() throws {
            guard let format = StatusRenderer.Format(rawValue: output) else {
                throw ValidationError("-o \(output): expected \(StatusRenderer.Format.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            if timeline && format != .table {
                throw ValidationError("--timeline draws a picture and takes no -o \(output): give one or the other")
            }
            if let days {
                guard timeline else { throw ValidationError("--days sets the width of the timeline: give --timeline too") }
                guard (1...3650).contains(days) else { throw ValidationError("--days \(days): expected a number of days from 1 to 3650") }
            }
            if let within {
                do {
                    _ = try Duration(parsing: within)
                } catch {
                    throw ValidationError("--within \(within): \(error.tooLong ? error.description : "expected a duration such as 720h or 30d")")
                }
            }
            _ = try failStates()
            _ = try parsedTargets()
            if allNamespaces && !targets.isEmpty {
                throw ValidationError("a TARGET names one object: give -n NAMESPACE rather than -A")
            }
        }

        func failStates() throws -> Set<HealthState> {
            guard let failOn else { return [] }
            var states = Set<HealthState>()
            for name in failOn.split(separator: ",") {
                guard let state = HealthState(name: name.trimmingCharacters(in: .whitespaces)) else {
                    throw ValidationError("--fail-on \(name): the states are \(HealthState.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                states.insert(state)
            }
            return states
        }

        func parsedTargets() throws -> [Target] {
            try targets.map { text in
                guard let target = Target(text) else {
                    throw ValidationError("\(text): expected ingress/NAME, certificate/NAME or secret/NAME")
                }
                return target
            }
        }

        func run() async throws {
            let context = CommandContext(global)
            let client = try context.kubernetesClient()
            let now = Date()
            let workflow = StatusWorkflow(
                client: client,
                namespace: allNamespaces ? nil : client.connection.namespace,
                labelSelector: selector,
                evaluation: StatusEvaluation(now: now, within: try within.map { try Duration(parsing: $0) })
            )
            var report = try await workflow.run()
            let colour = context.colour(for: STDOUT_FILENO)
            let renderer = StatusRenderer(format: StatusRenderer.Format(rawValue: output)!, colour: colour, now: now)

            let chosen = try parsedTargets()
            if !chosen.isEmpty {
                report.items = report.items.filter { row in chosen.contains { $0.selects(row) } }
                for target in chosen where !report.items.contains(where: target.selects) {
                    throw CommandFailure(message: "\(target.kind.rawValue) \"\(target.name)\" not found in namespace \(client.connection.namespace)")
                }
            }
            if timeline {
                let picture = StatusTimeline(now: now, width: TerminalWidth.columns(of: STDOUT_FILENO), days: days, style: colour ? .terminal : .plain)
                print(picture.render(report.items), terminator: "")
            } else if !chosen.isEmpty && (renderer.format == .table || renderer.format == .wide) {
                print(report.items.map(renderer.detail).joined(separator: "\n"), terminator: "")
            } else {
                print(try renderer.render(report), terminator: "")
            }
            for note in report.notes {
                FileHandle.standardError.write(Data("note: \(note)\n".utf8))
            }
            let failing = try failStates()
            let found = Set(report.items.map(\.state)).intersection(failing)
            if !found.isEmpty {
                throw CommandFailure(message: "found certificates in state \(found.sorted().map(\.rawValue).joined(separator: ", "))", exitStatus: .problemsFound)
            }
        }
    }
}
