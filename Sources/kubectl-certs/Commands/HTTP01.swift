import ArgumentParser
import CertCore
import DNS01
import Foundation

extension KubectlCerts {
    struct HTTP01: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "http01",
            abstract: "Check HTTP-01 readiness of a host through the cluster's ingress.",
            discussion: """
            Examples:
              # Can the CA reach www.example.com through the default ingress class?
              kubectl certs http01 check -d www.example.com -n web
            """,
            subcommands: [Check.self]
        )

        struct Check: AsyncParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Serve a probe challenge for a host through the cluster's ingress, fetch it as the CA would, and remove it.",
                discussion: """
                Exit codes: 0 the probe was served, 1 it was not (with what was seen),
                2 bad input.

                Examples:
                  # Serve a probe challenge through the default ingress class and fetch it
                  kubectl certs http01 check -d www.example.com -n web

                  # The same through the Ingresses of class nginx
                  kubectl certs http01 check -d www.example.com -n web --ingress-class nginx
                """
            )

            @OptionGroup var global: GlobalOptions
            @OptionGroup var http01: HTTP01Options

            @Option(name: .customShort("d"), help: ArgumentHelp("The host to check (not a wildcard).", valueName: "HOST"))
            var host: String

            @Option(name: .customLong("dns-resolver"), help: ArgumentHelp("Resolver to look the host up with, as the CA would (repeat); default /etc/resolv.conf.", valueName: "HOST[:PORT]"))
            var resolvers: [String] = []

            func validate() throws {
                if let problem = KubectlCerts.Issue.domainProblem(host) { throw ValidationError("-d \(host): \(problem)") }
                if host.hasPrefix("*.") { throw ValidationError("-d \(host): a wildcard can be proven by DNS-01 only; check it with `kubectl certs dns check`") }
                for resolver in resolvers {
                    do { _ = try DNSServer(parsing: resolver) } catch { throw ValidationError("--dns-resolver \(resolver): \(error.message)") }
                }
                try http01.validateOptions()
            }

            func run() async throws {
                let context = CommandContext(global)
                let client = try context.kubernetesClient()
                let resolver: DNSResolver
                do { resolver = try DNSResolver.recursive(resolvers.map { try DNSServer(parsing: $0) }) } catch {
                    throw CommandFailure(message: "no DNS resolver to use: \(error)", exitStatus: .usage)
                }
                let progress = ProgressDisplay()
                let outstanding = OutstandingRecords()
                let selfCheck = HTTP01SelfCheck(probe: try HTTP01Probe(resolver: resolver), client: client, timeout: try http01.selfCheckTimeout(), progress: progress)
                let workflow = HTTP01CheckWorkflow(client: client, namespace: client.connection.namespace, solver: http01.solver(), selfCheck: selfCheck,
                                                   progress: progress, outstanding: outstanding)
                let host = Punycode.asciiDomain(host)
                print(try await Interruption.run(outstanding: outstanding) { try await workflow.check(host) }, terminator: "")
            }
        }
    }
}
