import CertCore
import Foundation
import Providers

/// Where the ACME account and DNS solving come from for one certificate: the flags and the
/// environment, or a cert-manager Issuer/ClusterIssuer.
struct IssueSettings: Sendable {
    var server: ACMEServer
    var email: String?
    var externalAccount: ExternalAccountBinding?
    var preferredChain: String?
    /// The Secret that holds the ACME account key (`tls.key`).
    var accountSecret: (namespace: String, name: String)
    /// The issuer this came from, for the Secret's annotations.
    var issuer: IssuerReference?
    /// How each name is proven: a DNS provider code and its credentials, HTTP-01, or an issuer's solvers.
    var dns: DNSChoice
    /// `--dns-credentials secret/NAME`, recorded so that a renewal reads the same Secret.
    var credentialsSecret: String? = nil

    enum DNSChoice: Sendable {
        /// `--dns CODE`: one provider for every name, credentials from the environment (or a Secret).
        case provider(code: String, environment: ProviderEnvironment)
        /// `--http01`: every name through the cluster's ingress.
        case http01(HTTP01Solver)
        /// cert-manager solvers, chosen per name.
        case solvers([JSONValue], issuerNamespace: String)
    }

    /// The plugin's own account Secret for a server, in the certificate's namespace.
    static func defaultAccountSecret(for server: ACMEServer, namespace: String) -> (namespace: String, name: String) {
        let host = URLComponents(string: server.directoryURL)?.host ?? "acme"
        let label = host.lowercased().map { $0.isLetter || $0.isNumber ? $0 : "-" }
        return (namespace, "kubectl-certs-account-" + String(label).trimmingCharacters(in: CharacterSet(charactersIn: "-")))
    }
}

/// Reads a cert-manager issuer's ACME settings.
struct IssuerReader {
    var client: KubernetesClient
    /// Where ClusterIssuers keep their Secrets (cert-manager's --cluster-resource-namespace).
    var clusterResourceNamespace = "cert-manager"

    func settings(for reference: IssuerReference, namespace: String, override: ACMEServer?) async throws -> IssueSettings {
        let isCluster = reference.kind == "ClusterIssuer"
        let object = try await client.get(isCluster ? .clusterIssuers : .issuers, name: reference.name, namespace: isCluster ? nil : namespace)
        let issuer = CertManagerIssuer(object: object)
        let secretNamespace = isCluster ? clusterResourceNamespace : namespace
        guard let acme = issuer.acme else {
            throw CommandFailure(message: "\(reference.kind) \(reference.name) is not an ACME issuer; kubectl-certs issues through ACME only", exitStatus: .usage)
        }
        guard let serverText = acme.server else {
            throw CommandFailure(message: "\(reference.kind) \(reference.name) has no spec.acme.server", exitStatus: .usage)
        }
        guard let accountSecret = acme.privateKeySecretName else {
            throw CommandFailure(message: "\(reference.kind) \(reference.name) has no spec.acme.privateKeySecretRef", exitStatus: .usage)
        }
        var eab: ExternalAccountBinding?
        if let keyID = acme.externalAccountKeyID, let secretRef = acme.externalAccountSecret {
            let secret = try await client.get(Secret.self, name: secretRef.name, namespace: secretNamespace)
            guard let key = secret.data[secretRef.key] else {
                throw CommandFailure(message: "Secret \(secretNamespace)/\(secretRef.name) has no key \(secretRef.key) for the external account binding", exitStatus: .usage)
            }
            eab = try ExternalAccountBinding(keyID: keyID, encodedHMACKey: String(decoding: key, as: UTF8.self))
        }
        return IssueSettings(
            server: try override ?? ACMEServer(serverText),
            email: acme.email,
            externalAccount: eab,
            preferredChain: acme.preferredChain,
            accountSecret: (secretNamespace, accountSecret),
            issuer: reference,
            dns: .solvers(acme.solvers, issuerNamespace: secretNamespace)
        )
    }
}

/// Turns a cert-manager solver into a provider code and where its adapter's variables come
/// from; the mapping of each solver kind lives in its provider's folder.
struct SolverCredentials {
    var client: KubernetesClient

    func provider(for solver: JSONValue, domain: String, secretNamespace: String, issuer: String) async throws -> (code: String, environment: ProviderEnvironment) {
        guard let dns01 = solver["dns01"] else {
            let kinds = solver.objectValue?.keys.filter { $0 != "selector" }.sorted().joined(separator: ", ") ?? "none"
            throw CommandFailure(message: "the solver for \(domain) is neither dns01 nor http01 (it has \(kinds)); kubectl-certs solves those two", exitStatus: .usage)
        }
        let fields = (dns01.objectValue ?? [:]).filter { $0.key != "cnameStrategy" }
        guard fields.count == 1, let (field, block) = fields.first else {
            throw CommandFailure(message: "the dns01 solver of \(issuer) for \(domain) names \(fields.isEmpty ? "no provider" : "several providers (\(fields.keys.sorted().joined(separator: ", ")))"); it must name exactly one", exitStatus: .usage)
        }
        let client = client
        let context = CertManagerSolverContext(issuer: issuer, secretNamespace: secretNamespace) { name, key in
            let secret = try await client.get(Secret.self, name: name, namespace: secretNamespace)
            guard let value = secret.data[key] else {
                throw CommandFailure(message: "Secret \(secretNamespace)/\(name) has no key \(key) (referenced by the \(field) solver of \(issuer))", exitStatus: .usage)
            }
            return String(decoding: value, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        }
        let (code, variables) = try await ProviderRegistry.variables(forCertManagerSolver: field, solver: block, context: context)
        // Credentials only from the issuer: a credential of this shell must not change where its
        // records go. This shell's settings (base URL, TTL, timeouts) and trust still apply.
        let settings = Set(ProviderRegistry.catalog.entry(code: code)?.settings.map(\.env) ?? []).union(["SSL_CERT_FILE", "SSL_CERT_DIR"])
        let local = ProcessInfo.processInfo.environment.filter { settings.contains($0.key) }
        return (code, ProviderEnvironment(local: local, supplied: variables, suppliedBy: "the \(field) solver of \(issuer)", cluster: .init(client: client, resourceNamespace: secretNamespace)))
    }
}
