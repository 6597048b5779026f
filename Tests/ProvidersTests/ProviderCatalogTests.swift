import Foundation
import Providers
import TestSupport
import Testing

@Suite(.lab) struct ProviderCatalogTests {
    @Test func theRepositoryRegistryIsValid() throws {
        let data = try Data(contentsOf: Lab.repositoryRoot.appendingPathComponent("plugins.json"))
        let catalog = try ProviderCatalog.decode(data)
        #expect(catalog.schemaVersion == 1)
        let rfc2136 = try #require(catalog.entry(code: "rfc2136"))
        #expect(rfc2136.certManagerSolver == "rfc2136")
        #expect(rfc2136.credentials.contains { $0.env == "RFC2136_TSIG_SECRET" && $0.secret })
    }

    @Test func duplicateCodesAreRefused() throws {
        let entry = #"{"code":"x","envPrefix":"X","name":"X","description":"d","documentation":"https://x","credentials":[],"settings":[],"defaults":{"ttl":60,"propagationTimeout":"1m","pollingInterval":"2s"}}"#
        let json = #"{"schemaVersion":1,"providers":[\#(entry),\#(entry)]}"#
        #expect(throws: ProviderError.self) { try ProviderCatalog.decode(Data(json.utf8)) }
    }

    @Test(arguments: ["5 minutes", "0s", "-1m"])
    func defaultDurationsMustBePositiveDurations(text: String) throws {
        let json = #"{"schemaVersion":1,"providers":[{"code":"x","envPrefix":"X","name":"X","description":"d","documentation":"https://x","credentials":[],"settings":[],"defaults":{"ttl":60,"propagationTimeout":"\#(text)","pollingInterval":"2s"}}]}"#
        #expect(throws: ProviderError.self) { try ProviderCatalog.decode(Data(json.utf8)) }
    }

    @Test(arguments: ["Upper", "with space", "-dash-first", ""])
    func badCodesAreRefused(code: String) throws {
        let json = #"{"schemaVersion":1,"providers":[{"code":"\#(code)","envPrefix":"X","name":"X","description":"d","documentation":"https://x","credentials":[],"settings":[],"defaults":{"ttl":60,"propagationTimeout":"1m","pollingInterval":"2s"}}]}"#
        #expect(throws: ProviderError.self) { try ProviderCatalog.decode(Data(json.utf8)) }
    }
}

@Suite(.lab) struct ProviderDocumentationTests {
    @Test func everyRegisteredProviderIsCompiledAndEveryCompiledOneRegistered() throws {
        let data = try Data(contentsOf: Lab.repositoryRoot.appendingPathComponent("plugins.json"))
        let catalog = try ProviderCatalog.decode(data)
        #expect(Set(catalog.providers.map(\.code)) == ProviderRegistry.compiledCodes)
        #expect(ProviderRegistry.catalog == catalog)
    }

    @Test func theReadmeTableAndTheEmbeddedCopyMatchTheRegistry() throws {
        let result = try Subprocess.run(Lab.repositoryRoot.appendingPathComponent("scripts/provider-table").path, ["--check"])
        #expect(result.status == 0, "\(result.stderr)")
    }
}
