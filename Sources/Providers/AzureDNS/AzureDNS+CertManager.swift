public import CertCore
internal import Foundation

extension AzureDNSProvider {
    /// cert-manager's `azureDNS` solver: `clientID`, `clientSecretSecretRef` (`name`, `key`),
    /// `tenantID`, `subscriptionID`, `resourceGroupName`, `hostedZoneName`, `environment`, and
    /// `managedIdentity` (`clientID`, `tenantID`) for the ambient identity — a workload identity
    /// when AZURE_FEDERATED_TOKEN_FILE is set where kubectl-certs runs, else IMDS.
    public static func variables(fromCertManagerSolver solver: JSONValue, context: CertManagerSolverContext) async throws -> [String: String] {
        var variables: [String: String] = [:]
        variables["AZURE_SUBSCRIPTION_ID"] = solver["subscriptionID"]?.stringValue
        variables["AZURE_RESOURCE_GROUP"] = solver["resourceGroupName"]?.stringValue
        variables["AZURE_ZONE_NAME"] = solver["hostedZoneName"]?.stringValue
        if let environment = solver["environment"]?.stringValue {
            let names = ["AzurePublicCloud": "public", "AzureChinaCloud": "china", "AzureUSGovernmentCloud": "usgovernment"]
            guard let name = names[environment] else {
                throw ProviderError(.configuration, provider: code, "the azureDNS solver of \(context.issuer) names environment \(environment); kubectl-certs knows \(names.keys.sorted().joined(separator: ", "))")
            }
            variables["AZURE_ENVIRONMENT"] = name
        }
        if let reference = solver["clientSecretSecretRef"] {
            guard let name = reference["name"]?.stringValue, let key = reference["key"]?.stringValue else {
                throw ProviderError(.configuration, provider: code, "the azureDNS solver of \(context.issuer): clientSecretSecretRef needs both name and key")
            }
            variables["AZURE_CLIENT_SECRET"] = try await context.secretValue(name, key)
            variables["AZURE_CLIENT_ID"] = solver["clientID"]?.stringValue
            variables["AZURE_TENANT_ID"] = solver["tenantID"]?.stringValue
            variables["AZURE_AUTH_METHOD"] = "env"
        } else if let identity = solver["managedIdentity"] {
            if identity["resourceID"] != nil {
                throw ProviderError(.configuration, provider: code, "the azureDNS solver of \(context.issuer) picks its managed identity by resourceID, which kubectl-certs does not support; use managedIdentity.clientID")
            }
            variables["AZURE_CLIENT_ID"] = identity["clientID"]?.stringValue
            variables["AZURE_TENANT_ID"] = identity["tenantID"]?.stringValue ?? solver["tenantID"]?.stringValue
        } else if solver["clientID"] != nil {
            throw ProviderError(.configuration, provider: code, "the azureDNS solver of \(context.issuer) gives clientID without clientSecretSecretRef")
        }
        return variables.compactMapValues { $0.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty ? nil : $0.trimmingCharacters(in: .whitespacesAndNewlines) }
    }
}
