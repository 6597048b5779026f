@testable import kubectl_certs
import CertCore
import TestSupport
import Testing

/// cert-manager's `spec.privateKey` as a key type: RSA when no algorithm is given, with the
/// size it gives.
@Suite(.lab) struct CertManagerKeySettingsTests {
    func keyType(_ privateKey: JSONValue) throws -> KeyType {
        var certificate = CertManagerCertificate(name: "web", namespace: "default")
        certificate.object[["spec"]] = ["privateKey": privateKey]
        return try IssueTargets.keyType(certificate.privateKey)
    }

    @Test func withoutAnAlgorithmTheSizeChoosesTheRSAKey() throws {
        #expect(try keyType(["size": 4096]) == .rsa4096)
        #expect(try keyType(["size": 3072]) == .rsa3072)
        #expect(try keyType([:]) == .rsa2048)
        #expect(throws: CommandFailure.self) { try keyType(["size": 1024]) }
    }

    @Test func ecdsaSizesChooseTheCurve() throws {
        #expect(try keyType(["algorithm": "ECDSA", "size": 384]) == .ec384)
        #expect(try keyType(["algorithm": "ecdsa"]) == .ec256)
    }
}

/// `--key-type` is the user's word for this run: it wins over the Certificate's privateKey,
/// as every flag wins over settings found in the cluster.
@Suite(.lab) struct KeyTypeFlagTests {
    @Test func theFlagWinsOverTheCertificatesPrivateKey_AgainstKube() async throws {
        let lab = try IssueLab()
        let namespace = try await lab.namespace()
        var certificate = CertManagerCertificate(name: "web", namespace: namespace)
        certificate.object[["spec"]] = ["secretName": "web-tls", "dnsNames": [.string("\(IssueLab.label()).\(lab.zone)")],
                                       "issuerRef": ["name": "nowhere"], "privateKey": ["algorithm": "RSA", "size": 2048]]
        _ = try await lab.client.create(certificate.object)
        let plain = try await lab.issue(["certificate/web", "-n", namespace, "--dns", "rfc2136", "--dry-run"])
        #expect(plain.stdout.contains("key:          rsa2048"), "\(plain.stdout)\(plain.stderr)")
        let flagged = try await lab.issue(["certificate/web", "-n", namespace, "--dns", "rfc2136", "--dry-run", "--key-type", "ec384"])
        #expect(flagged.stdout.contains("key:          ec384"), "\(flagged.stdout)\(flagged.stderr)")
    }
}
