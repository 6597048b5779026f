import CertCore
import Foundation

/// What the plugin records on a Secret it issued: cert-manager's annotations, and its own
/// under `kubectl-certs.io/` — what a renewal needs, including the ACME server and account
/// the certificate came from.
enum IssueAnnotations {
    static func make(_ spec: CertificateSpec, settings: IssueSettings, chain: IssuedChain, account: String?, providers: [String]) -> [String: String] {
        var annotations = [
            "cert-manager.io/alt-names": chain.leaf.dnsNames.joined(separator: ","),
            "cert-manager.io/common-name": chain.leaf.subjectCommonName ?? "",
            "cert-manager.io/ip-sans": "",
            "cert-manager.io/uri-sans": "",
            "kubectl-certs.io/domains": spec.orderNames.joined(separator: ","),
            ReplacedCertificate.serverAnnotation: settings.server.directoryURL,
            "kubectl-certs.io/dns-provider": providers.joined(separator: ","),
            "kubectl-certs.io/key-type": spec.keyType.rawValue,
            "kubectl-certs.io/issued-at": ISO8601DateFormatter().string(from: Date()),
        ]
        if let account { annotations[ReplacedCertificate.accountAnnotation] = account }
        if let issuer = settings.issuer {
            annotations["cert-manager.io/issuer-name"] = issuer.name
            annotations["cert-manager.io/issuer-kind"] = issuer.kind
            annotations["cert-manager.io/issuer-group"] = issuer.group
        }
        if let certificate = spec.certificateName { annotations["cert-manager.io/certificate-name"] = certificate }
        return annotations
    }
}
