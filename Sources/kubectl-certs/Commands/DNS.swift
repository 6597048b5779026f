import ArgumentParser
import CertCore
import DNS01
import Foundation
import Providers

extension KubectlCerts {
    struct DNS: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "dns",
            abstract: "Check DNS-01 readiness of a domain.",
            discussion: """
            Examples:
              # Where example.com's _acme-challenge record lives, per nameserver
              kubectl certs dns check -d example.com
            """,
            subcommands: [Check.self]
        )

        struct Check: AsyncParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Show where a domain's _acme-challenge record lives and what every nameserver serves; with --dns, publish a probe and time its propagation.",
                discussion: """
                Exit codes: 0 every step worked, 6 propagation timed out.

                Examples:
                  # Where the record lives and what every nameserver serves
                  kubectl certs dns check -d example.com

                  # Publish a probe through RFC 2136 and time its propagation
                  RFC2136_NAMESERVER=ns1.example.com \\
                    kubectl certs dns check -d example.com --dns rfc2136
                """
            )

            @OptionGroup var global: GlobalOptions
            @OptionGroup var dns: DNSOptions

            @Option(name: .customShort("d"), help: ArgumentHelp("The domain (a wildcard is checked as its base name).", valueName: "DOMAIN"))
            var domain: String

            func validate() throws {
                guard KubectlCerts.Issue.isDomain(domain) else { throw ValidationError("-d \(domain): not a DNS name") }
                try dns.validateOptions()
            }

            func run() async throws {
                try await Self.perform(domain: domain, global: global, dns: dns)
            }

            /// The check, for `dns check` and `providers check`: describe, then probe through
            /// `dns.provider` when there is one.
            static func perform(domain: String, global: GlobalOptions, dns: DNSOptions) async throws {
                let context = CommandContext(global)
                let workflow = DNSCheckWorkflow(discovery: ZoneDiscovery(resolver: try dns.resolver()), propagation: try dns.propagation())
                let (_, description) = try await workflow.describe(domain)
                print(description, terminator: "")
                guard let code = dns.provider else { return }
                // The cluster when one is configured: --dns-credentials and webhook solvers need it.
                let client: KubernetesClient?
                do { client = try context.kubernetesClient() } catch {
                    if dns.credentials != nil { throw error }
                    client = nil
                }
                var environment = ProviderEnvironment(local: ProcessInfo.processInfo.environment)
                if let client { environment = try await dns.environment(client: client, namespace: client.connection.namespace) }
                let configured = try ConfiguredProvider(code: code, environment: environment)
                let outstanding = OutstandingRecords()
                print(try await Interruption.run(outstanding: outstanding) {
                    try await workflow.probe(domain, through: configured, progress: ProgressDisplay(), outstanding: outstanding)
                }, terminator: "")
            }
        }
    }
}
