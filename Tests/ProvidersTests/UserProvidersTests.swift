import DNS01
import Foundation
import Providers
import TestSupport
import Testing

/// Providers a user defines in `$XDG_CONFIG_HOME/kubectl-certs/plugins.json`, and the JSON
/// Schema both registries follow.
@Suite(.lab) struct UserProvidersTests {
    /// A config directory of the test's own holding `contents` as the user's plugins.json.
    func configDirectory(_ contents: String) throws -> URL {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("xdg-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory.appendingPathComponent("kubectl-certs"), withIntermediateDirectories: true)
        try contents.write(to: directory.appendingPathComponent("kubectl-certs/plugins.json"), atomically: true, encoding: .utf8)
        return directory
    }

    @Test func aNamedEntryUsesItsAdapterWithItsVariablesAndTheEnvironmentWins() throws {
        let directory = try configDirectory(#"""
        { "schemaVersion": 1, "providers": [
          { "code": "office-bind", "adapter": "rfc2136", "description": "The office's BIND",
            "variables": { "RFC2136_NAMESERVER": "127.0.0.2:53", "RFC2136_TTL": "33" } } ] }
        """#)
        defer { try? FileManager.default.removeItem(at: directory) }
        let listings = try ProviderRegistry.listings(environment: ["XDG_CONFIG_HOME": directory.path])
        let listing = try #require(listings.first { $0.entry.code == "office-bind" })
        #expect(listing.adapter == "rfc2136")
        #expect(listing.source == directory.path + "/kubectl-certs/plugins.json")
        #expect(listing.entry.envPrefix == "RFC2136")

        let configured = try ConfiguredProvider(code: "office-bind", environment: ProviderEnvironment(local: ["XDG_CONFIG_HOME": directory.path, "RFC2136_TTL": "44"]))
        #expect((configured.provider as? RFC2136Provider)?.configuration.nameserver == DNSServer(host: "127.0.0.2", port: 53))
        #expect(configured.ttl == 44)
        // Errors speak of the user's code.
        let error = #expect(throws: ProviderError.self) {
            try ConfiguredProvider(code: "office-bind", environment: ProviderEnvironment(local: ["XDG_CONFIG_HOME": directory.path, "RFC2136_TSIG_KEY": "k"]))
        }
        #expect(error?.message.hasPrefix("office-bind: missing RFC2136_TSIG_SECRET") == true)
    }

    @Test(arguments: [
        (#"{ "schemaVersion": 1, "providers": [ { "code": "rfc2136", "adapter": "rfc2136" } ] }"#, "built-in provider's code"),
        (#"{ "schemaVersion": 1, "providers": [ { "code": "mine", "adapter": "nope" } ] }"#, "not a built-in provider"),
        (#"{ "schemaVersion": 1, "providers": [ { "code": "Mine", "adapter": "rfc2136" } ] }"#, "lower-case"),
        (#"{ "schemaVersion": 2, "providers": [] }"#, "schemaVersion 2"),
        (#"{ "schemaVersion": 1, "providers": [ { "code": "a" ""#, "does not parse"),
    ])
    func aBadFileIsAClearConfigurationError(contents: String, says: String) throws {
        let directory = try configDirectory(contents)
        defer { try? FileManager.default.removeItem(at: directory) }
        let error = #expect(throws: ProviderError.self) { try ProviderRegistry.listings(environment: ["XDG_CONFIG_HOME": directory.path]) }
        #expect(error?.code == .configuration)
        #expect(error?.message.contains("kubectl-certs/plugins.json") == true)
        #expect(error?.message.contains(says) == true, "\(error?.message ?? "")")
    }

    @Test func noFileMeansTheBuiltInProvidersOnly() throws {
        let listings = try ProviderRegistry.listings(environment: ["HOME": "/nonexistent-\(UUID().uuidString)"])
        #expect(listings.map(\.entry.code) == ProviderRegistry.catalog.providers.map(\.code))
        #expect(listings.allSatisfy { $0.source == "built-in" })
    }

    @Test func theRegistryAndAUserFileFollowTheJSONSchema() throws {
        let directory = try configDirectory(#"{ "schemaVersion": 1, "providers": [ { "code": "hook", "adapter": "rfc2136", "variables": { "RFC2136_NAMESERVER": "127.0.0.2" } } ] }"#)
        defer { try? FileManager.default.removeItem(at: directory) }
        let bad = directory.appendingPathComponent("bad.json")
        try #"{ "schemaVersion": 1, "providers": [ { "code": "x", "name": "X" } ] }"#.write(to: bad, atomically: true, encoding: .utf8)
        let script = """
        import json, sys, jsonschema
        schema = json.load(open(sys.argv[1]))
        jsonschema.Draft202012Validator.check_schema(schema)
        for path in sys.argv[2:]:
            errors = list(jsonschema.Draft202012Validator(schema).iter_errors(json.load(open(path))))
            print(path, "valid" if not errors else "invalid")
        """
        let root = Lab.repositoryRoot
        let result = try Subprocess.run("python3", ["-c", script, root.appendingPathComponent("plugins.schema.json").path, root.appendingPathComponent("plugins.json").path, directory.appendingPathComponent("kubectl-certs/plugins.json").path, bad.path])
        #expect(result.status == 0, "\(result.stderr)")
        let lines = result.stdout.split(separator: "\n").map(String.init)
        #expect(lines == [
            "\(root.appendingPathComponent("plugins.json").path) valid",
            "\(directory.path)/kubectl-certs/plugins.json valid",
            "\(bad.path) invalid",
        ])
    }
}
