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
}
