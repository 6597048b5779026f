import ArgumentParser
import CertCore
import DNS01
import Foundation
import Providers
import Yams

extension KubectlCerts {
    struct Providers: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List, show and check DNS providers.",
            subcommands: [List.self, Show.self, Check.self],
            defaultSubcommand: List.self
        )

        struct List: AsyncParsableCommand {
            static let configuration = CommandConfiguration(abstract: "List the DNS providers (from plugins.json).")

            @Option(name: .shortAndLong, help: "Output format: table, json or yaml.")
            var output: String = "table"

            func validate() throws {
                guard ["table", "json", "yaml"].contains(output) else { throw ValidationError("-o \(output): expected table, json or yaml") }
            }

            func run() async throws {
                let catalog = ProviderRegistry.catalog
                switch output {
                case "json":
                    let encoder = JSONEncoder()
                    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
                    print(String(decoding: try encoder.encode(catalog), as: UTF8.self))
                case "yaml":
                    print(try YAMLEncoder().encode(catalog), terminator: "")
                default:
                    let rows = [["NAME", "PROVIDER", "CERT-MANAGER", "CREDENTIALS"]] + catalog.providers.map { entry in
                        [entry.code, entry.name, entry.certManagerSolver ?? "-", entry.credentials.map(\.env).joined(separator: ",")]
                    }
                    let widths = rows[0].indices.map { column in rows.map { $0[column].count }.max() ?? 0 }
                    for row in rows {
                        print(row.enumerated().map { $0.offset == row.count - 1 ? $0.element : $0.element.padding(toLength: widths[$0.offset], withPad: " ", startingAt: 0) }.joined(separator: "   "))
                    }
                }
            }
        }

        struct Show: AsyncParsableCommand {
            static let configuration = CommandConfiguration(abstract: "Show one provider's credentials, settings and defaults.")

            @Argument(help: "The provider's name, as --dns takes it.")
            var name: String

            func run() async throws {
                guard let entry = ProviderRegistry.catalog.entry(code: name) else {
                    throw CommandFailure(message: "unknown DNS provider \"\(name)\"; the providers are: \(ProviderRegistry.catalog.providers.map(\.code).joined(separator: ", "))", exitStatus: .usage)
                }
                print("\(entry.code): \(entry.name)")
                print(entry.description)
                print("documentation: \(entry.documentation)")
                if let solver = entry.certManagerSolver { print("cert-manager dns01 solver: \(solver)") }
                print("credentials (environment; each also as NAME_FILE, or a key of --dns-credentials secret/NAME):")
                for credential in entry.credentials {
                    print("  \(credential.env)\(credential.required ? "" : " (optional)")\(credential.secret ? " [secret]" : ""): \(credential.description)")
                }
                if !entry.settings.isEmpty {
                    print("settings:")
                    for setting in entry.settings { print("  \(setting.env): \(setting.description)") }
                }
                print("defaults: TTL \(entry.defaults.ttl) s, propagation timeout \(entry.defaults.propagationTimeout), polling interval \(entry.defaults.pollingInterval)")
            }
        }

        struct Check: AsyncParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Publish a probe record through a provider and time its propagation (as `dns check --dns NAME`).",
                discussion: """
                Examples:
                  kubectl certs providers check rfc2136 -d example.com
                  kubectl certs providers check rfc2136 -d example.com --dns-credentials secret/rfc2136 -n certs
                """
            )

            @OptionGroup var global: GlobalOptions
            @OptionGroup var dns: DNSOptions

            @Argument(help: "The provider's name.")
            var name: String

            @Option(name: .customShort("d"), help: ArgumentHelp("A domain the provider serves.", valueName: "DOMAIN"))
            var domain: String

            func validate() throws {
                guard KubectlCerts.Issue.isDomain(domain) else { throw ValidationError("-d \(domain): not a DNS name") }
                if let provider = dns.provider, provider != name {
                    throw ValidationError("--dns \(provider): the provider to check is NAME (\(name)); give one or the other")
                }
                try dns.validateOptions()
            }

            func run() async throws {
                var dns = dns
                dns.provider = name
                try await DNS.Check.perform(domain: domain, global: global, dns: dns)
            }
        }
    }
}
