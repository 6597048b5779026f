public import CertCore
public import DNS01

/// A DNS provider adapter as the registry builds it: it reads its own settings and knows its
/// cert-manager solver. Adding a provider is a folder under `Sources/Providers/` with a type
/// conforming to this, and its entry in plugins.json; `scripts/provider-table` lists the type in
/// the registry.
public protocol DNSProviderAdapter: DNSProvider {
    /// The provider's code in plugins.json.
    static var code: String { get }

    /// Reads the adapter's variables from `settings`, which collects every problem; the adapter
    /// calls `settings.validate()` before it uses any value.
    init(settings: inout ProviderSettings) throws(ProviderError)

    /// The variables this adapter reads, taken from the cert-manager `dns01` solver block named
    /// by the entry's `certManagerSolver` (e.g. the value of `rfc2136:`), reading referenced
    /// Secrets through `context`.
    static func variables(fromCertManagerSolver solver: JSONValue, context: CertManagerSolverContext) async throws -> [String: String]
}

extension DNSProviderAdapter {
    public var code: String { Self.code }

    public static func variables(fromCertManagerSolver solver: JSONValue, context: CertManagerSolverContext) async throws -> [String: String] {
        throw ProviderError(.configuration, provider: code, "kubectl-certs cannot read this provider's settings from a cert-manager solver; pass --dns \(code) with its credentials instead")
    }
}

/// What a cert-manager solver mapping may use: the issuer's name for messages, and the
/// Secrets in the issuer's namespace.
public struct CertManagerSolverContext: Sendable {
    /// The issuer, in words ("ClusterIssuer letsencrypt").
    public var issuer: String
    /// Where the issuer's Secrets live.
    public var secretNamespace: String
    /// Reads one key of a Secret in `secretNamespace`.
    public var secretValue: @Sendable (_ name: String, _ key: String) async throws -> String

    public init(issuer: String, secretNamespace: String, secretValue: @escaping @Sendable (_ name: String, _ key: String) async throws -> String) {
        self.issuer = issuer
        self.secretNamespace = secretNamespace
        self.secretValue = secretValue
    }
}
