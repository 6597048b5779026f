import CertCore
import Foundation

/// What `issue` recorded on a Secret (`IssueAnnotations`), read back so that a renewal issues
/// the same certificate again with no flags: the names, the CA, where the DNS settings came
/// from (an issuer, a provider and maybe a credentials Secret) or the HTTP-01 solver, and the
/// key type.
struct RecordedSettings: Sendable, Equatable {
    var names: [String]
    var server: String?
    var account: String?
    var providers: [String]
    var credentials: String?
    var keyType: KeyType?
    var preferredChain: String?
    var target: String?
    var issuer: IssuerReference?
    var certificateName: String?
    /// `--http01` and its ingress class, edited Ingress and solver image.
    var http01: HTTP01Solver?

    init(_ secret: Secret) {
        let annotations = secret.annotations
        func list(_ key: String) -> [String] {
            (annotations[key] ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        }
        names = list(IssueAnnotations.domains)
        if names.isEmpty { names = list("cert-manager.io/alt-names") }
        server = annotations[IssueAnnotations.server]
        account = annotations[IssueAnnotations.account]
        providers = list(IssueAnnotations.provider)
        credentials = annotations[IssueAnnotations.credentials]
        keyType = annotations[IssueAnnotations.keyType].flatMap(KeyType.init(rawValue:))
        preferredChain = annotations[IssueAnnotations.preferredChain]
        target = annotations[IssueAnnotations.target]
        issuer = annotations["cert-manager.io/issuer-name"].map {
            IssuerReference(name: $0, kind: annotations["cert-manager.io/issuer-kind"] ?? "Issuer", group: annotations["cert-manager.io/issuer-group"] ?? "cert-manager.io")
        }
        certificateName = annotations["cert-manager.io/certificate-name"]
        if annotations[IssueAnnotations.http01] == "true" {
            http01 = HTTP01Solver(ingressClassName: annotations[IssueAnnotations.http01IngressClass], editIngress: annotations[IssueAnnotations.http01IngressEdit],
                                  image: annotations[IssueAnnotations.http01SolverImage])
        }
    }

    /// The flags a renewal of this certificate runs with: the command line's where it says
    /// something, what was recorded where it is silent. An issuer's certificate takes its CA
    /// and solvers from the issuer, as when it was issued.
    func options(acme: ACMEOptions, dns: DNSOptions) -> (ACMEOptions, DNSOptions) {
        var acme = acme, dns = dns
        acme.preferredChain = acme.preferredChain ?? preferredChain
        // A cert-manager Certificate's privateKey decides its key at each issuance.
        if certificateName == nil { acme.keyType = acme.keyType ?? keyType?.rawValue }
        if issuer == nil || dns.provider != nil {
            acme.server = acme.server ?? server
            if dns.provider == nil, providers.count == 1 { dns.provider = providers[0] }
            dns.credentials = dns.credentials ?? credentials
        }
        return (acme, dns)
    }

    /// The HTTP-01 solver a renewal uses: the one recorded, with the command line's ingress
    /// class and solver image where it gives them; none when it says `--dns PROVIDER`.
    func http01Solver(dns: DNSOptions, http01 flags: HTTP01Options) -> HTTP01Solver? {
        guard dns.provider == nil, var solver = http01 else { return nil }
        if let name = flags.ingressClass {
            // A class of its own for the solver, in place of the Ingress it edited.
            solver.ingressClassName = name
            solver.editIngress = nil
        }
        if let image = flags.solverImage { solver.image = image }
        return solver
    }

    /// The certificate as recorded, for a Secret whose Ingress or Certificate is gone or was
    /// issued with `-d`.
    func spec(for secret: Secret, keyType flag: KeyType?) -> CertificateSpec {
        CertificateSpec(namespace: secret.namespace ?? "default", secretName: secret.name, dnsNames: names, commonName: nil,
                        keyType: flag ?? keyType ?? .ec256, keyEncoding: .traditional, reuseStoredKey: false,
                        certificateName: certificateName, issuer: issuer, labels: secret.labels, origin: "secret/\(secret.name)")
    }
}
