public import Foundation
internal import CertCore

/// The provider registry as `plugins.json` describes it: the single source of truth for which
/// DNS providers exist, what credentials each one reads, and its defaults.
public struct ProviderCatalog: Sendable, Codable, Equatable {
    public var schemaVersion: Int
    public var providers: [Entry]

    public struct Entry: Sendable, Codable, Equatable {
        /// The name users pass to `--dns`.
        public var code: String
        /// The prefix of the provider's variables (lego's), e.g. `RFC2136`: its TTL, propagation
        /// timeout and polling interval are read from `<prefix>_TTL`, `<prefix>_PROPAGATION_TIMEOUT`
        /// and `<prefix>_POLLING_INTERVAL`.
        public var envPrefix: String
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
        /// Whether the value names a local file or program; such a value is never taken from a
        /// Secret or an issuer, only from the environment of whoever runs the tool.
        public var localPath: Bool?
    }

    public struct Setting: Sendable, Codable, Equatable {
        public var env: String
        public var description: String
        /// As for a credential: a local file or program, so never from a Secret or an issuer.
        public var localPath: Bool?
    }

    public struct Defaults: Sendable, Codable, Equatable {
        /// TTL of the challenge record, in seconds.
        public var ttl: Int
        public var propagationTimeout: Duration
        public var pollingInterval: Duration

        public init(ttl: Int, propagationTimeout: Duration, pollingInterval: Duration) {
            self.ttl = ttl
            self.propagationTimeout = propagationTimeout
            self.pollingInterval = pollingInterval
        }

        private enum CodingKeys: String, CodingKey { case ttl, propagationTimeout, pollingInterval }

        /// Durations are written as people write them ("5m", "2s").
        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            func duration(_ key: CodingKeys) throws -> Duration {
                let text = try container.decode(String.self, forKey: key)
                guard let value = try? Duration(parsing: text), value > .zero else {
                    throw DecodingError.dataCorruptedError(forKey: key, in: container, debugDescription: "\"\(text)\" is not a positive duration such as 2s or 5m")
                }
                return value
            }
            ttl = try container.decode(Int.self, forKey: .ttl)
            propagationTimeout = try duration(.propagationTimeout)
            pollingInterval = try duration(.pollingInterval)
        }

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(ttl, forKey: .ttl)
            try container.encode(propagationTimeout.goString, forKey: .propagationTimeout)
            try container.encode(pollingInterval.goString, forKey: .pollingInterval)
        }
    }

    public init(schemaVersion: Int, providers: [Entry]) {
        self.schemaVersion = schemaVersion
        self.providers = providers
    }

    /// Decodes and checks a registry: codes unique and lower-case, every entry complete.
    public static func decode(_ data: Data) throws(ProviderError) -> ProviderCatalog {
        let catalog: ProviderCatalog
        do {
            catalog = try JSONDecoder().decode(ProviderCatalog.self, from: data)
        } catch {
            throw ProviderError(.configuration, provider: nil, "plugins.json does not parse: \(error)")
        }
        var seen = Set<String>()
        for entry in catalog.providers {
            guard entry.code.range(of: "^[a-z0-9][a-z0-9-]*$", options: .regularExpression) != nil else {
                throw ProviderError(.configuration, provider: nil, "plugins.json: provider code \"\(entry.code)\" must be lower-case letters, digits and dashes")
            }
            guard seen.insert(entry.code).inserted else {
                throw ProviderError(.configuration, provider: nil, "plugins.json: provider code \"\(entry.code)\" appears twice")
            }
            guard !entry.name.isEmpty, !entry.description.isEmpty, !entry.documentation.isEmpty else {
                throw ProviderError(.configuration, provider: nil, "plugins.json: provider \"\(entry.code)\" needs a name, a description and a documentation link")
            }
            guard entry.defaults.ttl > 0 else {
                throw ProviderError(.configuration, provider: nil, "plugins.json: provider \"\(entry.code)\" has a TTL that is not positive")
            }
        }
        return catalog
    }

    public func entry(code: String) -> Entry? {
        providers.first { $0.code == code }
    }
}

extension Duration {
    /// As plugins.json writes durations: "5m", "2s", "1500ms".
    public var goString: String {
        let milliseconds = components.seconds * 1000 + components.attoseconds / 1_000_000_000_000_000
        if milliseconds % 3_600_000 == 0 { return "\(milliseconds / 3_600_000)h" }
        if milliseconds % 60_000 == 0 { return "\(milliseconds / 60_000)m" }
        if milliseconds % 1000 == 0 { return "\(milliseconds / 1000)s" }
        return "\(milliseconds)ms"
    }
}
