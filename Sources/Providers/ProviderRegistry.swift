public import DNS01
import Foundation

/// Builds a DNS provider adapter from its code in the registry and its credentials.
public enum ProviderRegistry {
    /// The registry compiled into this binary.
    public static let catalog: ProviderCatalog = {
        // The embedded copy is checked against plugins.json by the tests; it always decodes.
        (try? ProviderCatalog.decode(Data(ProviderCatalog.embeddedJSON.utf8))) ?? ProviderCatalog(schemaVersion: 1, providers: [])
    }()

    /// The codes that have an adapter in this binary.
    public static let compiledCodes: Set<String> = ["rfc2136"]

    /// The adapter for `code`, configured from `environment` (the provider's variables, as
    /// plugins.json lists them; each also as NAME_FILE).
    public static func provider(code: String, environment: [String: String]) throws -> any DNSProvider {
        guard let entry = catalog.entry(code: code) else {
            let known = catalog.providers.map(\.code).sorted().joined(separator: ", ")
            throw ProviderCatalogError(message: "unknown DNS provider \"\(code)\"; the providers are: \(known)")
        }
        switch entry.code {
        case "rfc2136":
            return try RFC2136Provider(environment: environment)
        default:
            throw ProviderCatalogError(message: "the DNS provider \"\(code)\" is listed in plugins.json but not built into this binary")
        }
    }
}
