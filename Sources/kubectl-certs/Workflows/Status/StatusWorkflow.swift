import CertCore
import Foundation

/// Gathers Ingresses, cert-manager Certificates and TLS Secrets, joins them, and evaluates
/// each certificate in use. Secrets are read page by page and reduced to their facts as they
/// arrive, so memory stays bounded however many there are.
struct StatusWorkflow {
    var client: KubernetesClient
    /// nil: every namespace.
    var namespace: String?
    var labelSelector: String?
    var evaluation: StatusEvaluation
    var trustedRoots = TrustedRoots()

    private struct SecretKey: Hashable {
        var namespace: String
        var name: String
    }

    /// What is kept of one Secret after parsing.
    private struct SecretSummary: Sendable {
        var contents: StatusEvaluation.SecretContents
        var manager: String
    }

    func run() async throws(KubernetesError) -> StatusReport {
        var notes: [String] = []
        let ingresses: [Ingress] = try await listAllowed(Ingress.self, notes: &notes)
        let certificates: [CertManagerCertificate] = try await listAllowed(CertManagerCertificate.self, notes: &notes)
        var secrets = try await tlsSecrets(notes: &notes)

        // Secrets that Ingresses or Certificates name but the TLS list did not hold (another
        // type, or missing): fetch each one.
        var wanted = Set<SecretKey>()
        for ingress in ingresses {
            for tls in ingress.tls { if let name = tls.secretName { wanted.insert(SecretKey(namespace: ingress.namespace ?? "", name: name)) } }
        }
        for certificate in certificates {
            if let name = certificate.secretName { wanted.insert(SecretKey(namespace: certificate.namespace ?? "", name: name)) }
        }
        for key in wanted where secrets[key] == nil {
            do {
                if let object = try await client.getIfPresent(.secrets, name: key.name, namespace: key.namespace) {
                    secrets[key] = summarize(Secret(object: object))
                } else {
                    secrets[key] = SecretSummary(contents: .missing, manager: "none")
                }
            } catch where error.kind == .forbidden {
                secrets[key] = SecretSummary(contents: .unusable("cannot read Secret \(key.name): forbidden"), manager: "none")
            }
        }

        var rows: [StatusRow] = []
        var used = Set<SecretKey>()
        for ingress in ingresses {
            for tls in ingress.tls {
                guard let secretName = tls.secretName else { continue }
                let key = SecretKey(namespace: ingress.namespace ?? "", name: secretName)
                used.insert(key)
                rows.append(row(namespace: key.namespace, name: "ingress/\(ingress.name)", hosts: tls.hosts, secretName: secretName, summary: secrets[key], certificate: nil))
            }
        }
        for certificate in certificates {
            guard let secretName = certificate.secretName else { continue }
            let key = SecretKey(namespace: certificate.namespace ?? "", name: secretName)
            used.insert(key)
            let hosts = certificate.dnsNames + (certificate.commonName.map { [$0] } ?? []).filter { !certificate.dnsNames.contains($0) }
            rows.append(row(namespace: key.namespace, name: "certificate/\(certificate.name)", hosts: hosts, secretName: secretName, summary: secrets[key], certificate: certificate))
        }
        for (key, summary) in secrets where !used.contains(key) {
            rows.append(row(namespace: key.namespace, name: "secret/\(key.name)", hosts: [], secretName: key.name, summary: summary, certificate: nil))
        }
        rows.sort { ($0.state, $0.notAfter ?? .distantPast, $0.namespace, $0.name) < ($1.state, $1.notAfter ?? .distantPast, $1.namespace, $1.name) }
        return StatusReport(items: rows, notes: notes)
    }

    private func row(namespace: String, name: String, hosts: [String], secretName: String, summary: SecretSummary?, certificate: CertManagerCertificate?) -> StatusRow {
        let contents = summary?.contents ?? .missing
        let ready = certificate?.readyCondition
        let (state, reason) = evaluation.evaluate(contents, secretName: secretName, hosts: hosts, ready: ready)
        var row = StatusRow(namespace: namespace, name: name, hosts: hosts, secret: secretName, state: state, reason: reason,
                            dnsNames: [], manager: certificate != nil ? "cert-manager" : summary?.manager ?? "none",
                            uncoveredHosts: [], chain: [], conditions: [])
        row.conditions = (certificate?.conditions ?? []).map { StatusRow.Condition(type: $0.type, status: $0.status, reason: $0.reason, message: $0.message) }
        if case .parsed(let facts) = contents {
            let leaf = facts.leaf
            row.issuer = leaf.issuerCommonName ?? leaf.issuer
            row.dnsNames = leaf.dnsNames
            row.notBefore = leaf.notBefore
            row.notAfter = leaf.notAfter
            row.serial = leaf.serialNumber
            row.key = leaf.publicKeyDescription
            row.renewalTime = certificate?.renewalTime ?? evaluation.renewalTime(leaf)
            row.uncoveredHosts = HostCoverage.uncovered(hosts, by: leaf.dnsNames)
            row.chain = facts.chain.map { StatusRow.ChainEntry(subject: $0.subject, issuer: $0.issuer, notAfter: $0.notAfter) }
        }
        return row
    }

    private func summarize(_ secret: Secret) -> SecretSummary {
        let manager: String
        if secret.labels["app.kubernetes.io/managed-by"] == "kubectl-certs" {
            manager = "kubectl-certs"
        } else if secret.annotations["cert-manager.io/certificate-name"] != nil {
            manager = "cert-manager"
        } else {
            manager = "none"
        }
        do {
            return SecretSummary(contents: .parsed(try CertificateFacts.parse(secretData: secret.data, trustedRoots: trustedRoots)), manager: manager)
        } catch {
            return SecretSummary(contents: .unusable(error.description), manager: manager)
        }
    }

    /// Every `kubernetes.io/tls` Secret, page by page; each page's certificates parsed
    /// concurrently.
    private func tlsSecrets(notes: inout [String], restarts: Int = 0) async throws(KubernetesError) -> [SecretKey: SecretSummary] {
        var result: [SecretKey: SecretSummary] = [:]
        var token: String?
        do {
            repeat {
                let page = try await client.listPage(.secrets, namespace: namespace, labelSelector: labelSelector, fieldSelector: "type=\(Secret.tlsType)", limit: 500, continueToken: token)
                token = page.continueToken
                let summaries = await withTaskGroup(of: [(SecretKey, SecretSummary)].self) { group in
                    let chunks = stride(from: 0, to: page.items.count, by: 50).map { Array(page.items[$0..<min($0 + 50, page.items.count)]) }
                    for chunk in chunks {
                        group.addTask {
                            chunk.map { object in
                                (SecretKey(namespace: object.namespace ?? "", name: object.name), summarize(Secret(object: object)))
                            }
                        }
                    }
                    return await group.reduce(into: []) { $0 += $1 }
                }
                for (key, summary) in summaries { result[key] = summary }
            } while token != nil
        } catch where error.kind == .forbidden {
            notes.append("cannot list Secrets\(namespace.map { " in namespace \($0)" } ?? " across namespaces"): forbidden; certificates in them are not shown")
        } catch where error.kind == .gone && restarts < 3 {
            // The list expired between pages: start over with what the server has now.
            return try await tlsSecrets(notes: &notes, restarts: restarts + 1)
        }
        return result
    }

    /// Lists a kind; a kind the user may not read, or that the cluster lacks (no
    /// cert-manager), becomes a note instead of a failure.
    private func listAllowed<T: TypedObject>(_ type: T.Type, notes: inout [String]) async throws(KubernetesError) -> [T] {
        do {
            return try await client.list(T.self, namespace: namespace, labelSelector: labelSelector)
        } catch where error.kind == .forbidden {
            notes.append("cannot list \(T.resourceType)\(namespace.map { " in namespace \($0)" } ?? " across namespaces"): forbidden")
            return []
        } catch where error.kind == .notFound && T.resourceType.group == "cert-manager.io" {
            return []
        }
    }
}
