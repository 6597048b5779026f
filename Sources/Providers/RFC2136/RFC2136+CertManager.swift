public import CertCore
internal import Foundation

extension RFC2136Provider {
    /// cert-manager's `rfc2136` solver: `nameserver`, `tsigKeyName`, `tsigAlgorithm`
    /// (HMACSHA256 → hmac-sha256), `tsigSecretSecretRef` (`name`, `key`).
    public static func variables(fromCertManagerSolver solver: JSONValue, context: CertManagerSolverContext) async throws -> [String: String] {
        var variables: [String: String] = [:]
        variables["RFC2136_NAMESERVER"] = solver["nameserver"]?.stringValue
        variables["RFC2136_TSIG_KEY"] = solver["tsigKeyName"]?.stringValue
        if let algorithm = solver["tsigAlgorithm"]?.stringValue {
            variables["RFC2136_TSIG_ALGORITHM"] = legoAlgorithmName(algorithm)
        }
        if let reference = solver["tsigSecretSecretRef"], let name = reference["name"]?.stringValue {
            let key = reference["key"]?.stringValue ?? "tsig-secret-key"
            variables["RFC2136_TSIG_SECRET"] = try await context.secretValue(name, key)
        }
        return variables
    }

    /// cert-manager writes HMACSHA256; lego and kubectl-certs hmac-sha256.
    static func legoAlgorithmName(_ name: String) -> String {
        let lowered = name.lowercased().replacingOccurrences(of: ".", with: "")
        guard lowered.hasPrefix("hmac"), !lowered.hasPrefix("hmac-") else { return lowered }
        return "hmac-" + lowered.dropFirst(4)
    }
}
