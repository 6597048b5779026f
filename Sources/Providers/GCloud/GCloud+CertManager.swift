public import CertCore
internal import Foundation

extension GCloudProvider {
    /// cert-manager's `clouddns` solver: `project`, `serviceAccountSecretRef` (`name`, `key`: the
    /// JSON key), `hostedZoneName` (the managed zone). Without a key, cert-manager uses the
    /// ambient credentials, as kubectl-certs then does (the metadata server or
    /// GOOGLE_APPLICATION_CREDENTIALS of whoever runs it).
    public static func variables(fromCertManagerSolver solver: JSONValue, context: CertManagerSolverContext) async throws -> [String: String] {
        var variables: [String: String] = [:]
        variables["GCE_PROJECT"] = solver["project"]?.stringValue
        variables["GCE_ZONE_ID"] = solver["hostedZoneName"]?.stringValue
        if let reference = solver["serviceAccountSecretRef"] {
            guard let name = reference["name"]?.stringValue, let key = reference["key"]?.stringValue else {
                throw ProviderError(.configuration, provider: code, "the clouddns solver of \(context.issuer): serviceAccountSecretRef needs both name and key")
            }
            variables["GCE_SERVICE_ACCOUNT"] = try await context.secretValue(name, key)
        }
        return variables.compactMapValues { $0.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty ? nil : $0.trimmingCharacters(in: .whitespacesAndNewlines) }
    }
}
