internal import Foundation

/// Providers a user defines in `$XDG_CONFIG_HOME/kubectl-certs/plugins.json` (by default
/// `~/.config/kubectl-certs/plugins.json`): named uses of a built-in adapter — typically `exec`
/// or `httpreq` — with variables of their own, so `--dns my-hook` needs nothing else.
///
/// ```json
/// { "schemaVersion": 1, "providers": [
///   { "code": "my-hook", "adapter": "exec", "name": "Our DNS hook",
///     "description": "Publishes through our internal DNS API",
///     "variables": { "EXEC_PATH": "/usr/local/bin/dns-hook" } } ] }
/// ```
public struct UserProviders: Sendable, Codable, Equatable {
    public var schemaVersion: Int
    public var providers: [Entry]

    public struct Entry: Sendable, Codable, Equatable {
        public var code: String
        /// The built-in provider whose adapter this entry uses.
        public var adapter: String
        public var name: String?
        public var description: String?
        public var documentation: String?
        /// Variables of the adapter, as if set in the environment; the environment wins.
        public var variables: [String: String]?
        public var defaults: ProviderCatalog.Defaults?
    }

    /// Where the file is: `$XDG_CONFIG_HOME/kubectl-certs/plugins.json`, else under `$HOME/.config`.
    public static func path(environment: [String: String]) -> String? {
        if let config = environment["XDG_CONFIG_HOME"], !config.isEmpty { return config + "/kubectl-certs/plugins.json" }
        if let home = environment["HOME"], !home.isEmpty { return home + "/.config/kubectl-certs/plugins.json" }
        return nil
    }

    /// Reads and checks the file at `path`; a missing file is no providers.
    public static func load(path: String, builtIn: ProviderCatalog) throws(ProviderError) -> UserProviders {
        guard let data = FileManager.default.contents(atPath: path) else {
            return UserProviders(schemaVersion: 1, providers: [])
        }
        let file: UserProviders
        do {
            file = try JSONDecoder().decode(UserProviders.self, from: data)
        } catch {
            throw ProviderError(.configuration, provider: nil, "\(path) does not parse: \(error)")
        }
        guard file.schemaVersion == 1 else {
            throw ProviderError(.configuration, provider: nil, "\(path): schemaVersion \(file.schemaVersion) is not one this kubectl-certs reads (1)")
        }
        var seen = Set<String>()
        for entry in file.providers {
            guard entry.code.range(of: "^[a-z0-9][a-z0-9-]*$", options: .regularExpression) != nil else {
                throw ProviderError(.configuration, provider: nil, "\(path): provider code \"\(entry.code)\" must be lower-case letters, digits and dashes")
            }
            guard builtIn.entry(code: entry.code) == nil else {
                throw ProviderError(.configuration, provider: nil, "\(path): \"\(entry.code)\" is a built-in provider's code; give yours another")
            }
            guard seen.insert(entry.code).inserted else {
                throw ProviderError(.configuration, provider: nil, "\(path): provider code \"\(entry.code)\" appears twice")
            }
            guard builtIn.entry(code: entry.adapter) != nil else {
                throw ProviderError(.configuration, provider: nil, "\(path): provider \"\(entry.code)\" uses adapter \"\(entry.adapter)\", which is not a built-in provider (\(builtIn.providers.map(\.code).sorted().joined(separator: ", ")))")
            }
        }
        return file
    }

    /// The registry entry of a user provider: its adapter's, under its own code and words.
    func resolved(_ entry: Entry, builtIn: ProviderCatalog) -> ProviderCatalog.Entry? {
        guard var resolved = builtIn.entry(code: entry.adapter) else { return nil }
        resolved.code = entry.code
        resolved.name = entry.name ?? "\(resolved.name) (\(entry.code))"
        resolved.description = entry.description ?? resolved.description
        resolved.documentation = entry.documentation ?? resolved.documentation
        resolved.certManagerSolver = nil
        if let defaults = entry.defaults { resolved.defaults = defaults }
        return resolved
    }
}
