import CertCore

/// Turns what the user named — `-d` names, `ingress/NAME`, `certificate/NAME` — into the
/// certificates to issue.
struct IssueTargets {
    var client: KubernetesClient
    var acme: ACMEOptions
    var namespace: String

    func specs(target: Target?, domains: [String], secret: String?) async throws -> [CertificateSpec] {
        let flagKeyType = acme.keyType.flatMap(KeyType.init(rawValue:))
        let keyType = flagKeyType ?? .ec256
        guard let target else {
            return [CertificateSpec(namespace: namespace, secretName: secret ?? "", dnsNames: domains, commonName: nil, keyType: keyType,
                                    keyEncoding: .traditional, reuseStoredKey: false, certificateName: nil, issuer: acme.issuerReference,
                                    labels: [:], origin: "-d")]
        }
        switch target.kind {
        case .ingress:
            let ingress = try await client.get(Ingress.self, name: target.name, namespace: namespace)
            let entries = ingress.tls.filter { $0.secretName != nil && !$0.hosts.isEmpty }
            guard !entries.isEmpty else {
                throw CommandFailure(message: "ingress \(namespace)/\(target.name) has no spec.tls entry with hosts and a secretName", exitStatus: .usage)
            }
            return entries.map { entry in
                CertificateSpec(namespace: namespace, secretName: entry.secretName!, dnsNames: entry.hosts, commonName: nil, keyType: keyType,
                                keyEncoding: .traditional, reuseStoredKey: false, certificateName: nil,
                                issuer: acme.issuerReference ?? ingress.issuerReference, labels: ingress.labels, origin: "ingress/\(target.name)",
                                servedBy: ObjectReference(ingress.object))
            }
        case .certificate:
            let certificate = try await client.get(CertManagerCertificate.self, name: target.name, namespace: namespace)
            guard let secretName = certificate.secretName else {
                throw CommandFailure(message: "certificate \(namespace)/\(target.name) has no spec.secretName", exitStatus: .usage)
            }
            var names = certificate.dnsNames
            if let commonName = certificate.commonName, !names.contains(commonName) { names.insert(commonName, at: 0) }
            guard !names.isEmpty else {
                throw CommandFailure(message: "certificate \(namespace)/\(target.name) has no dnsNames or commonName", exitStatus: .usage)
            }
            let settings = certificate.privateKey
            return [CertificateSpec(namespace: namespace, secretName: secretName, dnsNames: names, commonName: certificate.commonName,
                                    keyType: try flagKeyType ?? Self.keyType(settings), keyEncoding: settings.encoding == "PKCS8" ? .pkcs8 : .traditional,
                                    reuseStoredKey: settings.rotationPolicy == "Never", certificateName: target.name,
                                    issuer: acme.issuerReference ?? certificate.issuerReference, labels: certificate.labels, origin: "certificate/\(target.name)",
                                    servedBy: ObjectReference(certificate.object))]
        case .secret:
            throw CommandFailure(message: "issue takes ingress/NAME or certificate/NAME; for a Secret use -d NAME... --secret \(target.name)", exitStatus: .usage)
        }
    }

    /// cert-manager's `privateKey.algorithm` and `size` as a key type (RSA 2048 by default, as cert-manager).
    static func keyType(_ settings: CertManagerCertificate.PrivateKeySettings) throws -> KeyType {
        if let size = settings.unreadableSize {
            throw CommandFailure(message: "privateKey.size \(size) is not a key size; use 2048, 3072 or 4096 for RSA, 256 or 384 for ECDSA", exitStatus: .usage)
        }
        // cert-manager's algorithm is RSA when none is given; `size` still applies.
        switch settings.algorithm?.uppercased() ?? "RSA" {
        case "RSA":
            switch settings.size ?? 2048 {
            case 2048: return .rsa2048
            case 3072: return .rsa3072
            case 4096: return .rsa4096
            case let size: throw CommandFailure(message: "RSA keys of \(size) bits are not supported; use 2048, 3072 or 4096", exitStatus: .usage)
            }
        case "ECDSA":
            switch settings.size ?? 256 {
            case 256: return .ec256
            case 384: return .ec384
            case let size: throw CommandFailure(message: "ECDSA P-\(size) keys are not supported; use 256 or 384", exitStatus: .usage)
            }
        case let other:
            throw CommandFailure(message: "\(other) keys are not supported by kubectl-certs yet; use RSA or ECDSA", exitStatus: .usage)
        }
    }
}

/// Settings for each certificate: from its issuer when it has one, else from the flags.
struct IssueSettingsSource: Sendable {
    var client: KubernetesClient
    var acme: ACMEOptions
    var dns: DNSOptions
    /// `--http01`: every name through the cluster's ingress, whatever the issuer's solvers say.
    var http01: HTTP01Solver? = nil

    func settings(for spec: CertificateSpec) async throws -> IssueSettings {
        if let issuer = spec.issuer, dns.provider == nil {
            var settings = try await IssuerReader(client: client).settings(for: issuer, namespace: spec.namespace, override: try acme.acmeServer())
            if let email = acme.email { settings.email = email }
            if let chain = acme.preferredChain { settings.preferredChain = chain }
            if let http01 { settings.dns = .http01(http01) }
            return settings
        }
        let choice: IssueSettings.DNSChoice
        if let http01 {
            choice = .http01(http01)
        } else if let provider = dns.provider {
            choice = .provider(code: provider, environment: try await dns.environment(client: client, namespace: spec.namespace))
        } else {
            throw CommandFailure(message: "say how to prove the names: --dns PROVIDER, --http01, or --issuer/--cluster-issuer naming a cert-manager issuer with DNS-01 or HTTP-01 solvers", exitStatus: .usage)
        }
        let server = try acme.acmeServer() ?? ACMEServer("letsencrypt")
        return IssueSettings(
            server: server,
            email: acme.email,
            externalAccount: try acme.externalAccount(),
            preferredChain: acme.preferredChain,
            accountSecret: IssueSettings.defaultAccountSecret(for: server, namespace: spec.namespace),
            issuer: nil,
            dns: choice,
            credentialsSecret: dns.credentials
        )
    }
}
