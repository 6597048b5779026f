public import Foundation

/// The provider registry as `plugins.json` describes it: the single source of truth for which
/// DNS providers exist, what credentials each one reads, and its defaults.
public struct ProviderCatalog: Sendable, Codable, Equatable {
    public var schemaVersion: Int
    public var providers: [Entry]

    public struct Entry: Sendable, Codable, Equatable {
        /// The name users pass to `--dns`.
        public var code: String
        public var name: String
        public var description: String
        public var documentation: String
        /// The matching field of a cert-manager `dns01` solver, when there is one.
        public var certManagerSolver: String?
        public var credentials: [Credential]
        public var settings: [Setting]
        public var defaults: Defaults
    }

    public struct Credential: Sendable, Codable, Equatable {
        /// Environment variable; `<env>_FILE` names a file holding the value instead.
        public var env: String
        public var description: String
        public var required: Bool
        /// Whether the value must never be shown (tokens, secrets, keys).
        public var secret: Bool
    }

    public struct Setting: Sendable, Codable, Equatable {
        public var env: String
        public var description: String
    }

    public struct Defaults: Sendable, Codable, Equatable {
        /// TTL of the challenge record, in seconds.
        public var ttl: Int
        public var propagationTimeout: String
        public var pollingInterval: String
    }

    public init(schemaVersion: Int, providers: [Entry]) {
        self.schemaVersion = schemaVersion
        self.providers = providers
    }

    /// Decodes and checks a registry: codes unique and lower-case, every entry complete.
    public static func decode(_ data: Data) throws(ProviderCatalogError) -> ProviderCatalog {
        let catalog: ProviderCatalog
        do {
            catalog = try JSONDecoder().decode(ProviderCatalog.self, from: data)
        } catch {
            throw ProviderCatalogError(message: "plugins.json does not parse: \(error)")
        }
        var seen = Set<String>()
        for entry in catalog.providers {
            guard entry.code.range(of: "^[a-z0-9][a-z0-9-]*$", options: .regularExpression) != nil else {
                throw ProviderCatalogError(message: "plugins.json: provider code \"\(entry.code)\" must be lower-case letters, digits and dashes")
            }
            guard seen.insert(entry.code).inserted else {
                throw ProviderCatalogError(message: "plugins.json: provider code \"\(entry.code)\" appears twice")
            }
            guard !entry.name.isEmpty, !entry.description.isEmpty, !entry.documentation.isEmpty else {
                throw ProviderCatalogError(message: "plugins.json: provider \"\(entry.code)\" needs a name, a description and a documentation link")
            }
            guard entry.defaults.ttl > 0 else {
                throw ProviderCatalogError(message: "plugins.json: provider \"\(entry.code)\" has a TTL that is not positive")
            }
        }
        return catalog
    }

    public func entry(code: String) -> Entry? {
        providers.first { $0.code == code }
    }
}

public struct ProviderCatalogError: Error, CustomStringConvertible, Sendable {
    public var message: String
    public var description: String { message }
}
