import ArgumentParser
import CertCore
import DNS01
import Foundation

/// The DNS flags of `issue`, `renew` and `dns check`.
struct DNSOptions: ParsableArguments {
    @Option(name: .customLong("dns"), help: ArgumentHelp("The DNS provider (see `kubectl certs providers`).", valueName: "PROVIDER"))
    var provider: String?

    @Option(name: .customLong("dns-resolver"), help: ArgumentHelp("Resolver for finding zones and nameservers (repeat); default /etc/resolv.conf.", valueName: "HOST[:PORT]"))
    var resolvers: [String] = []

    @Option(name: .customLong("propagation-timeout"), help: ArgumentHelp("How long to wait for every nameserver to serve the records.", valueName: "DURATION"))
    var propagationTimeout: String = "5m"

    @Option(name: .customLong("propagation-wait"), help: ArgumentHelp("Skip checking: just wait this long after publishing.", valueName: "DURATION"))
    var propagationWait: String?

    @Option(name: .customLong("dns-credentials"), help: ArgumentHelp("Provider credentials from a Secret whose keys are the provider's variable names.", valueName: "secret/NAME"))
    var credentials: String?

    func validateOptions() throws {
        for resolver in resolvers {
            do { _ = try DNSServer(parsing: resolver) } catch { throw ValidationError("--dns-resolver \(resolver): \(error.message)") }
        }
        guard (try? Duration(parsing: propagationTimeout)) != nil else { throw ValidationError("--propagation-timeout \(propagationTimeout): expected a duration such as 5m") }
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

    func policy() throws -> PropagationPolicy {
        if let propagationWait { return PropagationPolicy(mode: .fixedWait(try Duration(parsing: propagationWait))) }
        return PropagationPolicy(mode: .check, timeout: try Duration(parsing: propagationTimeout))
    }

    /// The provider's credentials: the environment, overlaid with `--dns-credentials`.
    func environment(client: KubernetesClient, namespace: String) async throws -> [String: String] {
        var environment = ProcessInfo.processInfo.environment
        if let credentials {
            let name = String(credentials.dropFirst("secret/".count))
            let secret = try await client.get(Secret.self, name: name, namespace: namespace)
            for (key, value) in secret.data { environment[key] = String(decoding: value, as: UTF8.self) }
        }
        return environment
    }
}
