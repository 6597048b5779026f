import CertCore
import Foundation
import Providers
import Testing

/// cert-manager `dns01` solver blocks turned into a provider's variables by the mapping in
/// that provider's folder.
@Suite struct CertManagerMappingTests {
    /// Secrets of the issuer's namespace, as the mapping reads them; records what it asked for.
    final class Secrets: Sendable {
        let values: [String: String]
        init(_ values: [String: String]) { self.values = values }
        func context() -> CertManagerSolverContext {
            let values = values
            return CertManagerSolverContext(issuer: "ClusterIssuer lab", secretNamespace: "cert-manager") { name, key in
                guard let value = values["\(name)/\(key)"] else { throw ProviderError(.configuration, provider: nil, "no \(name)/\(key)") }
                return value
            }
        }
    }

    @Test func rfc2136ReadsTheTSIGSecretFromItsSecretAndLegoNamesTheAlgorithm() async throws {
        let solver: JSONValue = ["nameserver": "127.0.0.2:53", "tsigKeyName": "acme-key", "tsigAlgorithm": "HMACSHA512", "tsigSecretSecretRef": ["name": "tsig", "key": "secret"]]
        let (code, variables) = try await ProviderRegistry.variables(forCertManagerSolver: "rfc2136", solver: solver, context: Secrets(["tsig/secret": "c2VjcmV0"]).context())
        #expect(code == "rfc2136")
        #expect(variables == ["RFC2136_NAMESERVER": "127.0.0.2:53", "RFC2136_TSIG_KEY": "acme-key", "RFC2136_TSIG_ALGORITHM": "hmac-sha512", "RFC2136_TSIG_SECRET": "c2VjcmV0"])
    }

    @Test func theDefaultSecretKeyIsCertManagers() async throws {
        let solver: JSONValue = ["nameserver": "127.0.0.2", "tsigKeyName": "k", "tsigSecretSecretRef": ["name": "tsig"]]
        let (_, variables) = try await ProviderRegistry.variables(forCertManagerSolver: "rfc2136", solver: solver, context: Secrets(["tsig/tsig-secret-key": "c2VjcmV0"]).context())
        #expect(variables["RFC2136_TSIG_SECRET"] == "c2VjcmV0")
    }

    @Test func aSolverKindWithoutAnAdapterIsNamed() async throws {
        let error = await #expect(throws: ProviderError.self) {
            try await ProviderRegistry.variables(forCertManagerSolver: "akamai", solver: [:], context: Secrets([:]).context())
        }
        #expect(error?.code == .configuration)
        #expect(error?.message.contains("ClusterIssuer lab") == true)
        #expect(error?.message.contains("akamai") == true)
        #expect(error?.message.contains("--dns") == true)
    }
}
