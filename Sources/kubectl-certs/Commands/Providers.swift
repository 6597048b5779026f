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
            discussion: """
            Examples:
              # Every provider --dns takes, and whether this shell has its credentials
              kubectl certs providers

              # What rfc2136 needs
              kubectl certs providers show rfc2136
            """,
            subcommands: [List.self, Show.self, Check.self],
            defaultSubcommand: List.self
        )

        struct List: AsyncParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "List the DNS providers (from plugins.json).",
                discussion: """
                Examples:
                  # Every provider, and whether this shell has its credentials
                  kubectl certs providers list

                  # The registry, with each provider's settings, as JSON
                  kubectl certs providers list -o json
                """
            )

            static let formats = ["table", "json", "yaml"]

            @Option(name: .shortAndLong, help: "Output format: table, json or yaml.")
            var output: String = "table"

            func validate() throws {
                guard Self.formats.contains(output) else { throw ValidationError("-o \(output): expected table, json or yaml") }
            }

            func run() async throws {
                let listings = try ProviderRegistry.listings(environment: ProcessInfo.processInfo.environment)
                switch output {
                case "json":
                    print(try MachineReadable.json(ListedProviders(listings)), terminator: "")
                case "yaml":
                    print(try YAMLEncoder().encode(ListedProviders(listings)), terminator: "")
                default:
                    let environment = ProcessInfo.processInfo.environment
                    let rows = [["NAME", "PROVIDER", "CERT-MANAGER", "CREDENTIALS", "SOURCE"]] + listings.map { listing in
                        let entry = listing.entry
                        return [entry.code, entry.name, entry.certManagerSolver ?? "-", Providers.credentialState(listing, environment: environment), listing.source]
                    }
                    print(TextTable.render(rows), terminator: "")
                }
            }
        }

        /// Whether this shell has what the provider requires: "set", or the names missing.
        static func credentialState(_ listing: ProviderRegistry.Listing, environment: [String: String]) -> String {
            let present = { (name: String) in
                [name, name + "_FILE"].contains { !(environment[$0] ?? listing.variables[$0] ?? "").isEmpty }
            }
            let missing = listing.entry.credentials.filter { $0.required && !present($0.env) }.map(\.env)
            if listing.entry.credentials.isEmpty { return "none needed" }
            return missing.isEmpty ? "set" : "missing " + missing.joined(separator: ",")
        }

        /// The list as JSON/YAML: plugins.json's shape, each entry with where it comes from.
        struct ListedProviders: Encodable {
            var schemaVersion = 1
            var providers: [Listed]

            init(_ listings: [ProviderRegistry.Listing]) {
                providers = listings.map(Listed.init)
            }

            struct Listed: Encodable {
                var listing: ProviderRegistry.Listing
                private enum Keys: String, CodingKey { case source, adapter }

                func encode(to encoder: any Encoder) throws {
                    try listing.entry.encode(to: encoder)
                    var container = encoder.container(keyedBy: Keys.self)
                    try container.encode(listing.source, forKey: .source)
                    if listing.adapter != listing.entry.code { try container.encode(listing.adapter, forKey: .adapter) }
                }
            }
        }

        struct Show: AsyncParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Show one provider's credentials, settings and defaults.",
                discussion: """
                Examples:
                  # The variables Cloudflare's adapter reads
                  kubectl certs providers show cloudflare
                """
            )

            @Argument(help: "The provider's name, as --dns takes it.")
            var name: String

            func run() async throws {
                let listings = try ProviderRegistry.listings(environment: ProcessInfo.processInfo.environment)
                guard let listing = listings.first(where: { $0.entry.code == name }) else {
                    throw CommandFailure(message: "unknown DNS provider \"\(name)\"; the providers are: \(listings.map(\.entry.code).joined(separator: ", "))", exitStatus: .usage)
                }
                let entry = listing.entry
                print("\(entry.code): \(entry.name)")
                print(entry.description)
                print("documentation: \(entry.documentation)")
                if listing.source != "built-in" { print("defined in \(listing.source), using the \(listing.adapter) adapter") }
                if let solver = entry.certManagerSolver { print("cert-manager dns01 solver: \(solver)") }
                print("credentials (environment; each also as NAME_FILE, or a key of --dns-credentials secret/NAME):")
                for credential in entry.credentials {
                    print("  \(credential.env)\(credential.required ? "" : " (optional)")\(credential.secret ? " [secret]" : "")\(credential.localPath == true ? " [local path: environment only]" : ""): \(credential.description)")
                }
                if !entry.settings.isEmpty {
                    print("settings:")
                    for setting in entry.settings { print("  \(setting.env)\(setting.localPath == true ? " [local path: environment only]" : ""): \(setting.description)") }
                }
                if !listing.variables.isEmpty {
                    print("set by \(listing.source) (the environment wins):")
                    for (variable, value) in listing.variables.sorted(by: { $0.key < $1.key }) {
                        let secret = entry.credentials.contains { $0.env == variable && $0.secret }
                        print("  \(variable)=\(secret ? "(not shown)" : value)")
                    }
                }
                print("defaults: TTL \(entry.defaults.ttl) s, propagation timeout \(entry.defaults.propagationTimeout.goString), polling interval \(entry.defaults.pollingInterval.goString) (\(entry.envPrefix)_TTL, \(entry.envPrefix)_PROPAGATION_TIMEOUT, \(entry.envPrefix)_POLLING_INTERVAL override them)")
            }
        }

        struct Check: AsyncParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Publish a probe record through a provider and time its propagation (as `dns check --dns NAME`).",
                discussion: """
                Examples:
                  # Probe example.com through RFC 2136, credentials from the environment
                  kubectl certs providers check rfc2136 -d example.com

                  # The same with the credentials of a Secret in the namespace certs
                  kubectl certs providers check rfc2136 -d example.com \\
                    --dns-credentials secret/rfc2136 -n certs
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
