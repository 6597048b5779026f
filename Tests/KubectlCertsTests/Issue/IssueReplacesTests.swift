@testable import kubectl_certs
import CertCore
import Foundation
import TestSupport
import Testing

/// RFC 9773 `replaces` is sent only for a certificate this server and account issued, against
/// the ARI stub (lab/ari-stub/ari_stub_server.py), which records every order's `replaces`.
@Suite(.lab) struct IssueReplacesTests {
    let script = Lab.repositoryRoot.appendingPathComponent("lab/ari-stub/ari_stub_server.py").path

    func replacesSeen(port: Int) async throws -> [String?] {
        let stats = try await HTTPClient().send(HTTPRequest(url: "http://127.0.0.1:\(port)/stats"))
        let seen = try JSONSerialization.jsonObject(with: stats.body) as? [String: [Any]]
        return try #require(seen?["replaces"]).map { $0 as? String }
    }

    @Test func anAdoptedCertificateOfAnotherCAIsNotNamedInReplaces_AgainstStubAndKube() async throws {
        let lab = try IssueLab()
        let namespace = try await lab.namespace()
        let pki = try TestPKI()
        let name = "\(IssueLab.label()).\(lab.zone)"
        let theirs = try pki.server("leaf", dnsNames: [name])
        let stub = try await ServerProcess("python3", [script, "--cert", theirs.certificatePath])
        var secret = Secret(name: "other-ca", namespace: namespace)
        secret.type = Secret.tlsType
        secret.data = ["tls.crt": theirs.certificatePEM, "tls.key": theirs.keyPEM]
        _ = try await lab.client.create(secret.object)

        // The stub's orders have no authorizations and cannot be fetched: the run stops after
        // its order, which is all this test looks at.
        _ = try await Subprocess.run("kubectl", ["certs", "issue", "-d", name, "--secret", "other-ca", "--adopt", "-n", namespace, "--dns", "rfc2136",
                                                 "--server", "http://127.0.0.1:\(stub.port)/dir", "--dns-resolver", lab.resolver], environment: lab.environment)
        #expect(try await replacesSeen(port: stub.port) == [nil])
    }

    @Test func replacesNamesOnlyACertificateFromThisServerAndAccount() throws {
        let pki = try TestPKI()
        let issued = try pki.server("leaf", dnsNames: ["replaced.example.test"])
        let leaf = try #require(try Certificate.parseChain(pem: String(decoding: issued.certificatePEM, as: UTF8.self)).first)
        var secret = Secret(name: "replaced", namespace: "default")
        secret.data = ["tls.crt": issued.certificatePEM]
        secret.annotations = ["kubectl-certs.io/acme-server": "https://ca.test/dir", "kubectl-certs.io/acme-account": "https://ca.test/acct/1"]
        #expect(ReplacedCertificate.identifier(in: secret, server: "https://ca.test/dir", account: "https://ca.test/acct/1") == (try ACMEClient.certificateIdentifier(leaf)))
        #expect(ReplacedCertificate.identifier(in: secret, server: "https://ca.test/dir", account: "https://ca.test/acct/2") == nil)
        #expect(ReplacedCertificate.identifier(in: secret, server: "https://staging.ca.test/dir", account: "https://ca.test/acct/1") == nil)
        #expect(ReplacedCertificate.identifier(in: secret, server: "https://ca.test/dir", account: nil) == nil)
        secret.annotations["kubectl-certs.io/acme-account"] = nil
        #expect(ReplacedCertificate.identifier(in: secret, server: "https://ca.test/dir", account: "https://ca.test/acct/1") == nil)
    }

    @Test func theSecretRecordsTheAccountThatIssuedIt_AgainstLab() async throws {
        let lab = try IssueLab()
        let namespace = try await lab.namespace()
        let result = try await lab.issue(["-d", "\(IssueLab.label()).\(lab.zone)", "--secret", "account-tls", "-n", namespace, "--dns", "rfc2136"])
        #expect(result.status == 0, "\(result.stderr)")
        let announced = try #require(result.stderr.split(separator: "\n").first { $0.contains("ACME account https://") })
        let account = try #require(announced.split(separator: " ").last.map(String.init))
        let secret = try await lab.secret("account-tls", namespace)
        #expect(secret.annotations["kubectl-certs.io/acme-account"] == account)
        #expect(secret.annotations["kubectl-certs.io/acme-server"] == lab.pebble)
    }
}
