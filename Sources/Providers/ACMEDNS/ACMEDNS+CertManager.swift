public import CertCore

extension ACMEDNSProvider {
    /// cert-manager's `acmeDNS` solver: `host` (the acme-dns server) and `accountSecretRef`
    /// (`name`, `key`), a Secret key holding the accounts JSON — the same object as lego's
    /// storage file, given inline as `ACME_DNS_ACCOUNTS_JSON`, since an issuer may not name a
    /// local file.
    public static func variables(fromCertManagerSolver solver: JSONValue, context: CertManagerSolverContext) async throws -> [String: String] {
        var variables: [String: String] = [:]
        variables["ACME_DNS_API_BASE"] = solver["host"]?.stringValue
        if let reference = solver["accountSecretRef"], let name = reference["name"]?.stringValue {
            guard let key = reference["key"]?.stringValue else {
                throw ProviderError(.configuration, provider: code, "the \(context.issuer) acmeDNS solver's accountSecretRef names Secret \(name) but no key")
            }
            variables["ACME_DNS_ACCOUNTS_JSON"] = try await context.secretValue(name, key)
        }
        return variables
    }
}
