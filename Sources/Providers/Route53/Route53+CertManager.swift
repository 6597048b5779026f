public import CertCore
internal import Foundation

extension Route53Provider {
    /// cert-manager's `route53` solver: `region`, `hostedZoneID`, `accessKeyID` or
    /// `accessKeyIDSecretRef`, `secretAccessKeySecretRef` (each `name`, `key`), `role` (assumed
    /// with those credentials, or with the ambient ones when there are none).
    public static func variables(fromCertManagerSolver solver: JSONValue, context: CertManagerSolverContext) async throws -> [String: String] {
        if solver["auth"] != nil {
            throw ProviderError(.configuration, provider: code, "the route53 solver of \(context.issuer) authenticates through a Kubernetes ServiceAccount (auth.kubernetes), which kubectl-certs cannot do from outside the cluster; give it accessKeyID/secretAccessKeySecretRef, or pass --dns route53 with credentials in the environment")
        }
        var variables: [String: String] = [:]
        variables["AWS_REGION"] = solver["region"]?.stringValue
        variables["AWS_HOSTED_ZONE_ID"] = solver["hostedZoneID"]?.stringValue
        variables["AWS_ASSUME_ROLE_ARN"] = solver["role"]?.stringValue
        if let id = solver["accessKeyID"]?.stringValue {
            variables["AWS_ACCESS_KEY_ID"] = id
        } else if let reference = solver["accessKeyIDSecretRef"] {
            variables["AWS_ACCESS_KEY_ID"] = try await secret(reference, field: "accessKeyIDSecretRef", context: context)
        }
        if let reference = solver["secretAccessKeySecretRef"] {
            variables["AWS_SECRET_ACCESS_KEY"] = try await secret(reference, field: "secretAccessKeySecretRef", context: context)
        }
        if (variables["AWS_ACCESS_KEY_ID"] == nil) != (variables["AWS_SECRET_ACCESS_KEY"] == nil) {
            throw ProviderError(.configuration, provider: code, "the route53 solver of \(context.issuer) gives \(variables["AWS_ACCESS_KEY_ID"] == nil ? "secretAccessKeySecretRef without accessKeyID or accessKeyIDSecretRef" : "an access key ID without secretAccessKeySecretRef")")
        }
        return variables.compactMapValues { $0.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty ? nil : $0.trimmingCharacters(in: .whitespacesAndNewlines) }
    }

    /// One key of a Secret named by a `…SecretRef` (`name`, `key`).
    private static func secret(_ reference: JSONValue, field: String, context: CertManagerSolverContext) async throws -> String {
        guard let name = reference["name"]?.stringValue, let key = reference["key"]?.stringValue else {
            throw ProviderError(.configuration, provider: code, "the route53 solver of \(context.issuer): \(field) needs both name and key")
        }
        return try await context.secretValue(name, key)
    }
}
