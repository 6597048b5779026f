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
        // The three lists are read at once.
        async let ingressList = listIngresses()
        async let certificateList = listAllowed(CertManagerCertificate.self)
        async let secretList = tlsSecrets()
        let ingresses: [ListedIngress], certificates: [CertManagerCertificate]
        var secrets: [SecretKey: SecretSummary]
        var notes: [String]
        do {
            let (ingressResult, certificateResult, secretResult) = try await (ingressList, certificateList, secretList)
            (ingresses, certificates, secrets) = (ingressResult.items, certificateResult.items, secretResult.items)
            notes = ingressResult.notes + certificateResult.notes + secretResult.notes
        } catch let error as KubernetesError {
            throw error
        } catch {
            throw KubernetesError(kind: .transport, message: "\(error)")
        }

        // Secrets that Ingresses or Certificates name but the TLS list did not hold (another
        // type, or missing): fetch each one.
        var wanted = Set<SecretKey>()
        for ingress in ingresses {
            for tls in ingress.tls { if let name = tls.secretName { wanted.insert(SecretKey(namespace: ingress.namespace, name: name)) } }
        }
        for certificate in certificates {
            if let name = certificate.secretName { wanted.insert(SecretKey(namespace: certificate.namespace ?? "", name: name)) }
        }
        for key in wanted where secrets[key] == nil {
            do {
                if let object = try await client.getIfPresent(.secrets, name: key.name, namespace: key.namespace) {
                    secrets[key] = summarize(ListedSecret(Secret(object: object)))
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
                let key = SecretKey(namespace: ingress.namespace, name: secretName)
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

    private func summarize(_ secret: ListedSecret) -> SecretSummary {
        // The same rule `issue` uses to decide whether it may write the Secret.
        let manager: String
        switch SecretWriter.ownership(labels: secret.labels, annotations: secret.annotations) {
        case .ours: manager = "kubectl-certs"
        case .certManager: manager = "cert-manager"
        case .foreign: manager = "none"
        }
        do {
            return SecretSummary(contents: .parsed(try CertificateFacts.parse(secretData: secret.data, trustedRoots: trustedRoots)), manager: manager)
        } catch {
            return SecretSummary(contents: .unusable(error.description), manager: manager)
        }
    }

    /// Every `kubernetes.io/tls` Secret, page by page; each page's certificates parsed
    /// concurrently.
    private func tlsSecrets(restarts: Int = 0) async throws(KubernetesError) -> (items: [SecretKey: SecretSummary], notes: [String]) {
        var result: [SecretKey: SecretSummary] = [:]
        var notes: [String] = []
        let client = client, namespace = namespace, labelSelector = labelSelector
        @Sendable func fetch(_ token: String?) async throws(KubernetesError) -> KubernetesClient.ListedPage<ListedSecret> {
            try await client.listPage(ListedSecret.self, namespace: namespace, labelSelector: labelSelector, fieldSelector: "type=\(Secret.tlsType)", limit: 500, continueToken: token)
        }
        do throws(KubernetesError) {
            var page = try await fetch(nil)
            while true {
                // Fetch the next page while this one's certificates are parsed.
                let nextToken = page.continueToken
                let next = nextToken.map { token in Task { try await fetch(token) } }
                let summaries = await summarize(page.items)
                for (key, summary) in summaries { result[key] = summary }
                guard let next else { break }
                do {
                    page = try await next.value
                } catch let error as KubernetesError {
                    throw error
                } catch {
                    throw KubernetesError(kind: .transport, message: "listing Secrets failed: \(error)")
                }
            }
        } catch where error.kind == .forbidden {
            notes.append("cannot list Secrets\(namespace.map { " in namespace \($0)" } ?? " across namespaces"): forbidden; certificates in them are not shown")
        } catch where error.kind == .gone && restarts < 3 {
            // The list expired between pages: start over with what the server has now.
            return try await tlsSecrets(restarts: restarts + 1)
        }
        return (result, notes)
    }

    /// Parses a page of Secrets concurrently, in chunks.
    private func summarize(_ items: [ListedSecret]) async -> [(SecretKey, SecretSummary)] {
        await withTaskGroup(of: [(SecretKey, SecretSummary)].self) { group in
            for start in stride(from: 0, to: items.count, by: 50) {
                let chunk = items[start..<min(start + 50, items.count)]
                group.addTask {
                    chunk.map { secret in (SecretKey(namespace: secret.namespace, name: secret.name), summarize(secret)) }
                }
            }
            return await group.reduce(into: []) { $0 += $1 }
        }
    }

    /// Every Ingress's TLS entries; Ingresses the user may not read become a note.
    private func listIngresses() async throws(KubernetesError) -> (items: [ListedIngress], notes: [String]) {
        try await allowed(ListedIngress.resourceType) { () throws(KubernetesError) in
            try await client.list(ListedIngress.self, namespace: namespace, labelSelector: labelSelector)
        }
    }

    /// Lists a kind; a kind the user may not read, or that the cluster lacks (no
    /// cert-manager), becomes a note instead of a failure.
    private func listAllowed<T: TypedObject>(_ type: T.Type) async throws(KubernetesError) -> (items: [T], notes: [String]) {
        try await allowed(T.resourceType) { () throws(KubernetesError) in
            try await client.list(T.self, namespace: namespace, labelSelector: labelSelector)
        }
    }

    private func allowed<Item>(_ type: ResourceType, _ list: () async throws(KubernetesError) -> [Item]) async throws(KubernetesError) -> (items: [Item], notes: [String]) {
        do {
            return (try await list(), [])
        } catch where error.kind == .forbidden {
            return ([], ["cannot list \(type)\(namespace.map { " in namespace \($0)" } ?? " across namespaces"): forbidden"])
        } catch where error.kind == .notFound && type.group == "cert-manager.io" {
            return ([], [])
        }
    }
}
