@testable import kubectl_certs
import CertCore
import Foundation
import Testing

/// What `issue` recorded, read back as a renewal's flags: the command line wins, the record
/// fills in what it does not say, and an issuer keeps its own CA and solvers.
@Suite struct RecordedSettingsTests {
    func secret(_ annotations: [String: String]) -> Secret {
        var secret = Secret(name: "web-tls", namespace: "shop")
        secret.annotations = annotations
        return secret
    }

    @Test func flagsWinAndTheRecordFillsIn() throws {
        let recorded = RecordedSettings(secret([
            "kubectl-certs.io/domains": "*.shop.example,shop.example", "kubectl-certs.io/acme-server": "https://ca.example/dir",
            "kubectl-certs.io/dns-provider": "rfc2136", "kubectl-certs.io/dns-credentials": "secret/dns", "kubectl-certs.io/key-type": "ec384",
            "kubectl-certs.io/preferred-chain": "ISRG Root X1",
        ]))
        #expect(recorded.names == ["*.shop.example", "shop.example"])
        let (acme, dns) = recorded.options(acme: try ACMEOptions.parse([]), dns: try DNSOptions.parse([]))
        #expect(acme.server == "https://ca.example/dir" && acme.keyType == "ec384" && acme.preferredChain == "ISRG Root X1")
        #expect(dns.provider == "rfc2136" && dns.credentials == "secret/dns")
        let (flagged, flaggedDNS) = recorded.options(acme: try ACMEOptions.parse(["--server", "letsencrypt-staging", "--key-type", "rsa2048"]),
                                                     dns: try DNSOptions.parse(["--dns", "cloudflare"]))
        #expect(flagged.server == "letsencrypt-staging" && flagged.keyType == "rsa2048" && flaggedDNS.provider == "cloudflare")
        #expect(recorded.spec(for: secret([:]), keyType: nil).keyType == .ec384)
    }

    @Test func anIssuersCertificateKeepsTheIssuersCAAndSolvers() throws {
        let recorded = RecordedSettings(secret([
            "kubectl-certs.io/domains": "shop.example", "kubectl-certs.io/acme-server": "https://ca.example/dir",
            "kubectl-certs.io/dns-provider": "rfc2136,cloudflare", "cert-manager.io/issuer-name": "le", "cert-manager.io/issuer-kind": "ClusterIssuer",
            "cert-manager.io/certificate-name": "web", "kubectl-certs.io/key-type": "ec256",
        ]))
        #expect(recorded.issuer == IssuerReference(name: "le", kind: "ClusterIssuer"))
        let (acme, dns) = recorded.options(acme: try ACMEOptions.parse([]), dns: try DNSOptions.parse([]))
        #expect(acme.server == nil && dns.provider == nil, "the issuer says which CA and solvers")
        #expect(acme.keyType == nil, "a Certificate's privateKey decides its key")
    }

    /// What `issue --http01` writes on the Secret, read back as the renewal's solver.
    func http01Annotations(_ solver: HTTP01Solver) -> [String: String] {
        var annotations = ["kubectl-certs.io/domains": "www.shop.example", "kubectl-certs.io/acme-server": "https://ca.example/dir", "kubectl-certs.io/dns-provider": ""]
        IssueAnnotations.record(solver, in: &annotations)
        return annotations
    }

    @Test(arguments: [
        HTTP01Solver(),
        HTTP01Solver(ingressClassName: "nginx-public"),
        HTTP01Solver(editIngress: "shop-front", image: "registry.shop.example/busybox:1.36"),
    ])
    func anHTTP01SolverIsRecordedAndReadBackAsItWas(_ solver: HTTP01Solver) throws {
        let recorded = RecordedSettings(secret(http01Annotations(solver)))
        #expect(recorded.http01 == solver)
        let (acme, dns) = recorded.options(acme: try ACMEOptions.parse([]), dns: try DNSOptions.parse([]))
        #expect(acme.server == "https://ca.example/dir" && dns.provider == nil)
        #expect(recorded.http01Solver(dns: dns, http01: try HTTP01Options.parse([])) == solver)
    }

    @Test func theDefaultImageIsNotRecordedAndDNSOnTheCommandLineWins() throws {
        let annotations = http01Annotations(HTTP01Solver(ingressClassName: "nginx-public"))
        #expect(annotations["kubectl-certs.io/http01"] == "true" && annotations["kubectl-certs.io/http01-ingress-class"] == "nginx-public")
        #expect(annotations["kubectl-certs.io/http01-solver-image"] == nil && annotations["kubectl-certs.io/http01-ingress-edit"] == nil)
        let recorded = RecordedSettings(secret(annotations))
        let (_, dns) = recorded.options(acme: try ACMEOptions.parse([]), dns: try DNSOptions.parse(["--dns", "rfc2136"]))
        let noFlags = try HTTP01Options.parse([])
        #expect(dns.provider == "rfc2136" && recorded.http01Solver(dns: dns, http01: noFlags) == nil)
        #expect(RecordedSettings(secret(["kubectl-certs.io/domains": "www.shop.example", "kubectl-certs.io/dns-provider": "rfc2136"])).http01 == nil)
    }

    @Test func http01FlagsOnTheCommandLineApplyOverTheRecordedSolver() throws {
        let recorded = RecordedSettings(secret(http01Annotations(HTTP01Solver(editIngress: "shop-front"))))
        let (_, dns) = recorded.options(acme: try ACMEOptions.parse([]), dns: try DNSOptions.parse([]))
        let flagged = recorded.http01Solver(dns: dns, http01: try HTTP01Options.parse(["--ingress-class", "traefik-internal", "--http01-solver-image", "mirror.shop.example/busybox:1.36"]))
        #expect(flagged == HTTP01Solver(ingressClassName: "traefik-internal", image: "mirror.shop.example/busybox:1.36"))
        // A certificate that was proven by DNS-01 stays so: the HTTP-01 flags are for those that were not.
        let dnsRecorded = RecordedSettings(secret(["kubectl-certs.io/domains": "api.shop.example", "kubectl-certs.io/dns-provider": "rfc2136"]))
        #expect(dnsRecorded.http01Solver(dns: dns, http01: try HTTP01Options.parse(["--ingress-class", "traefik-internal"])) == nil)
    }
}
