public import CertCore
internal import DNS01

extension DigitalOceanProvider {
    /// cert-manager's `digitalocean` solver: `tokenSecretRef` names the Secret key holding the token.
    public static func variables(fromCertManagerSolver solver: JSONValue, context: CertManagerSolverContext) async throws -> [String: String] {
        guard let reference = solver["tokenSecretRef"], let name = reference["name"]?.stringValue, let key = reference["key"]?.stringValue else {
            throw ProviderError(.configuration, provider: code, "the Issuer's digitalocean solver has no tokenSecretRef with a name and a key")
        }
        return ["DO_AUTH_TOKEN": try await context.secretValue(name, key)]
    }
}
