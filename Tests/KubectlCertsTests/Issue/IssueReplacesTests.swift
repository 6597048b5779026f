import CertCore
import Foundation
import TestSupport
import Testing

/// RFC 9773 `replaces` is sent only for a certificate this server and account issued, against
/// the ARI stub (Tests/Fixtures/ari_stub_server.py), which records every order's `replaces`.
@Suite struct IssueReplacesTests {
    let script = Lab.repositoryRoot.appendingPathComponent("Tests/Fixtures/ari_stub_server.py").path

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
        let stub = try ServerProcess("python3", [script, "--cert", theirs.certificatePath])
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
}
