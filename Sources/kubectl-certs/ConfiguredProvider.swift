import DNS01
import Providers

/// A DNS provider adapter built from the registry, with the TTL plugins.json gives its records.
/// A provider that is unknown or misconfigured is bad input (exit 2).
struct ConfiguredProvider {
    var provider: any DNSProvider
    var ttl: Int

    init(code: String, environment: [String: String]) throws {
        do {
            provider = try ProviderRegistry.provider(code: code, environment: environment)
        } catch {
            throw CommandFailure(message: "\(error)", exitStatus: .usage)
        }
        ttl = ProviderRegistry.catalog.entry(code: code)?.defaults.ttl ?? 60
    }
}
