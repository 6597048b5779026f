import CertCore
import Foundation

/// What the plugin records on a Secret it issued: cert-manager's annotations, and its own
/// under `kubectl-certs.io/` — what a renewal needs to issue the same certificate again
/// (`RecordedSettings` reads them back), never a secret itself.
enum IssueAnnotations {
    static let domains = "kubectl-certs.io/domains"
    static let server = "kubectl-certs.io/acme-server"
    static let account = "kubectl-certs.io/acme-account"
    static let provider = "kubectl-certs.io/dns-provider"
    static let credentials = "kubectl-certs.io/dns-credentials"
    static let keyType = "kubectl-certs.io/key-type"
    static let preferredChain = "kubectl-certs.io/preferred-chain"
    /// `ingress/NAME` or `certificate/NAME` when issued for one.
    static let target = "kubectl-certs.io/target"
    static let issuedAt = "kubectl-certs.io/issued-at"
    /// `true` when the names were proven by `--http01`; the solver's settings beside it.
    static let http01 = "kubectl-certs.io/http01"
    static let http01IngressClass = "kubectl-certs.io/http01-ingress-class"
    /// The Ingress that `--ingress-edit` added the challenge paths to.
    static let http01IngressEdit = "kubectl-certs.io/http01-ingress-edit"
    /// Only when it is not the default image.
    static let http01SolverImage = "kubectl-certs.io/http01-solver-image"

    static func make(_ spec: CertificateSpec, settings: IssueSettings, chain: IssuedChain, account: String?, providers: [String]) -> [String: String] {
        var annotations = [
            "cert-manager.io/alt-names": chain.leaf.dnsNames.joined(separator: ","),
            "cert-manager.io/common-name": chain.leaf.subjectCommonName ?? "",
            "cert-manager.io/ip-sans": "",
            "cert-manager.io/uri-sans": "",
            domains: spec.orderNames.joined(separator: ","),
            server: settings.server.directoryURL,
            provider: providers.joined(separator: ","),
            keyType: spec.keyType.rawValue,
            issuedAt: RFC3339.string(Date()),
        ]
        if let account { annotations[Self.account] = account }
        if spec.servedBy != nil { annotations[target] = spec.origin }
        if let secret = settings.credentialsSecret { annotations[credentials] = secret }
        if let chain = settings.preferredChain { annotations[preferredChain] = chain }
        if let issuer = settings.issuer {
            annotations["cert-manager.io/issuer-name"] = issuer.name
            annotations["cert-manager.io/issuer-kind"] = issuer.kind
            annotations["cert-manager.io/issuer-group"] = issuer.group
        }
        if let certificate = spec.certificateName { annotations["cert-manager.io/certificate-name"] = certificate }
        if case .http01(let solver) = settings.dns { record(solver, in: &annotations) }
        return annotations
    }

    /// `--http01` and its flags, as `RecordedSettings` reads them back.
    static func record(_ solver: HTTP01Solver, in annotations: inout [String: String]) {
        annotations[http01] = "true"
        if let name = solver.ingressClassName { annotations[http01IngressClass] = name }
        if let name = solver.editIngress { annotations[http01IngressEdit] = name }
        if solver.image != HTTP01Solver.defaultImage { annotations[http01SolverImage] = solver.image }
    }
}
