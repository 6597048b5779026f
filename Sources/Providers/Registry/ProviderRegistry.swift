public import CertCore
public import DNS01
import Foundation

/// Builds DNS provider adapters from their plugins.json entries and their variables.
public enum ProviderRegistry {
    /// The registry compiled into this binary.
    public static let catalog: ProviderCatalog = {
        // The embedded copy is checked against plugins.json by the tests; it always decodes.
        (try? ProviderCatalog.decode(Data(ProviderCatalog.embeddedJSON.utf8))) ?? ProviderCatalog(schemaVersion: 1, providers: [])
    }()

    /// The codes that have an adapter in this binary.
    public static var compiledCodes: Set<String> { Set(adapters.map { $0.code }) }

    /// One provider `--dns` can name, and where it is defined.
    public struct Listing: Sendable {
        public var entry: ProviderCatalog.Entry
        /// "built-in", or the user's plugins.json that defines it.
        public var source: String
        /// The built-in adapter it uses (its own code for a built-in).
        public var adapter: String
        /// Variables the user's entry sets (never secrets' values in a built-in).
        public var variables: [String: String]
    }

    /// Every provider: the built-in ones, then the user's (`UserProviders.path`).
    public static func listings(environment: [String: String]) throws(ProviderError) -> [Listing] {
        var listings = catalog.providers.map { Listing(entry: $0, source: "built-in", adapter: $0.code, variables: [:]) }
        guard let path = UserProviders.path(environment: environment) else { return listings }
        let user = try UserProviders.load(path: path, builtIn: catalog)
        for entry in user.providers {
            guard let resolved = user.resolved(entry, builtIn: catalog) else { continue }
            listings.append(Listing(entry: resolved, source: path, adapter: entry.adapter, variables: entry.variables ?? [:]))
        }
        return listings
    }

    /// The listing, adapter type for `code`; an unknown code lists the known ones.
    static func lookUp(_ code: String, environment: [String: String]) throws(ProviderError) -> (Listing, any DNSProviderAdapter.Type) {
        let all = try listings(environment: environment)
        guard let listing = all.first(where: { $0.entry.code == code }) else {
            let known = all.map(\.entry.code).sorted().joined(separator: ", ")
            throw ProviderError(.configuration, provider: nil, "unknown DNS provider \"\(code)\"; the providers are: \(known)")
        }
        guard let adapter = adapters.first(where: { $0.code == listing.adapter }) else {
            throw ProviderError(.configuration, provider: code, "listed in plugins.json but not built into this binary")
        }
        return (listing, adapter)
    }

    /// The provider whose cert-manager solver is `field` (e.g. "rfc2136"), and the variables its
    /// adapter reads, taken from the solver block.
    public static func variables(forCertManagerSolver field: String, solver: JSONValue, context: CertManagerSolverContext) async throws -> (code: String, variables: [String: String]) {
        guard let entry = catalog.providers.first(where: { $0.certManagerSolver == field }) else {
            throw ProviderError(.configuration, provider: nil, "the \(context.issuer) dns01 solver uses \(field), which kubectl-certs cannot read from an issuer; pass --dns PROVIDER with its credentials instead")
        }
        guard let adapter = adapters.first(where: { $0.code == entry.code }) else {
            throw ProviderError(.configuration, provider: entry.code, "listed in plugins.json but not built into this binary")
        }
        return (entry.code, try await adapter.variables(fromCertManagerSolver: solver, context: context))
    }
}

/// A DNS provider adapter with its tuning (TTL, propagation timeout, polling interval), as its
/// variables and plugins.json give them.
public struct ConfiguredProvider: Sendable {
    public var provider: any DNSProvider
    public var tuning: ProviderTuning

    /// Builds the adapter for `code` from `environment`; every missing or malformed variable is
    /// reported at once.
    public init(code: String, environment: ProviderEnvironment) throws(ProviderError) {
        let (listing, adapter) = try ProviderRegistry.lookUp(code, environment: environment.local)
        var environment = environment
        // A user's entry sets variables as if in the environment, which wins.
        environment.local = listing.variables.merging(environment.local) { $1 }
        var settings = ProviderSettings(entry: listing.entry, environment: environment)
        let tuning = settings.tuning()
        provider = try adapter.init(settings: &settings)
        try settings.validate()
        self.tuning = tuning
    }

    /// TTL of the challenge records, in seconds.
    public var ttl: Int { tuning.ttl }

    /// How to decide the records are visible: a flag wins over the provider's tuning.
    public func propagationPolicy(timeout: Duration? = nil, fixedWait: Duration? = nil) -> PropagationPolicy {
        let backoff = Backoff(maximum: tuning.pollingInterval)
        if let fixedWait { return PropagationPolicy(mode: .fixedWait(fixedWait), timeout: fixedWait, backoff: backoff) }
        return PropagationPolicy(mode: .check, timeout: timeout ?? tuning.propagationTimeout, backoff: backoff)
    }

    /// A solver publishing through this provider with its TTL and propagation policy.
    public func solver(discovery: ZoneDiscovery, timeout: Duration? = nil, fixedWait: Duration? = nil) -> DNS01Solver {
        DNS01Solver(provider: provider, discovery: discovery, checker: PropagationChecker(policy: propagationPolicy(timeout: timeout, fixedWait: fixedWait)), ttl: ttl)
    }
}
