import ArgumentParser
import CertCore
import DNS01
import Foundation
import Providers

/// The DNS flags of `issue`, `renew` and `dns check`.
struct DNSOptions: ParsableArguments {
    @Option(name: .customLong("dns"), help: ArgumentHelp("The DNS provider (see `kubectl certs providers`).", valueName: "PROVIDER"))
    var provider: String?

    @Option(name: .customLong("dns-resolver"), help: ArgumentHelp("Resolver for finding zones and nameservers (repeat); default /etc/resolv.conf.", valueName: "HOST[:PORT]"))
    var resolvers: [String] = []

    @Option(name: .customLong("propagation-timeout"), help: ArgumentHelp("How long to wait for every nameserver to serve the records (default: the provider's, see `kubectl certs providers show`).", valueName: "DURATION"))
    var propagationTimeout: String?

    @Option(name: .customLong("propagation-wait"), help: ArgumentHelp("Skip checking: just wait this long after publishing.", valueName: "DURATION"))
    var propagationWait: String?

    @Option(name: .customLong("dns-credentials"), help: ArgumentHelp("Provider credentials from a Secret whose keys are the provider's variable names.", valueName: "secret/NAME"))
    var credentials: String?

    func validateOptions() throws {
        for resolver in resolvers {
            do { _ = try DNSServer(parsing: resolver) } catch { throw ValidationError("--dns-resolver \(resolver): \(error.message)") }
        }
        if let propagationTimeout, (try? Duration(parsing: propagationTimeout)) == nil { throw ValidationError("--propagation-timeout \(propagationTimeout): expected a duration such as 5m") }
        if let propagationWait, (try? Duration(parsing: propagationWait)) == nil { throw ValidationError("--propagation-wait \(propagationWait): expected a duration such as 90s") }
        if let credentials, !credentials.hasPrefix("secret/") { throw ValidationError("--dns-credentials \(credentials): expected secret/NAME") }
    }

    func resolver() throws -> DNSResolver {
        do {
            return try DNSResolver.recursive(resolvers.map { try DNSServer(parsing: $0) })
        } catch {
            throw CommandFailure(message: "no DNS resolver to use: \(error)", exitStatus: .usage)
        }
    }

    /// The propagation flags, which win over every provider's own settings.
    func propagation() throws -> PropagationFlags {
        PropagationFlags(timeout: try propagationTimeout.map { try Duration(parsing: $0) }, fixedWait: try propagationWait.map { try Duration(parsing: $0) })
    }

    /// Where the provider's variables come from: this process's environment, and the
    /// `--dns-credentials` Secret, whose keys win but may never name a local file.
    func environment(client: KubernetesClient, namespace: String) async throws -> ProviderEnvironment {
        var environment = ProviderEnvironment(local: ProcessInfo.processInfo.environment, cluster: .init(client: client, resourceNamespace: namespace))
        if let credentials {
            let name = String(credentials.dropFirst("secret/".count))
            guard let secret = try await client.getIfPresent(.secrets, name: name, namespace: namespace).map(Secret.init(object:)) else {
                throw CommandFailure(message: "the DNS provider credentials Secret \(namespace)/\(name) (--dns-credentials, or as recorded when the certificate was issued) does not exist; create it with the provider's variables as keys", exitStatus: .usage)
            }
            environment.supplied = secret.data.mapValues { String(decoding: $0, as: UTF8.self) }
            environment.suppliedBy = "Secret \(namespace)/\(name)"
        }
        return environment
    }
}

/// `--propagation-timeout` and `--propagation-wait`, when given.
struct PropagationFlags: Sendable {
    var timeout: Duration?
    var fixedWait: Duration?
}
