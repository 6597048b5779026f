@testable import kubectl_certs
import CertCore
import Testing

/// cert-manager's `spec.privateKey` as a key type: RSA when no algorithm is given, with the
/// size it gives.
@Suite struct CertManagerKeySettingsTests {
    func keyType(_ privateKey: JSONValue) throws -> KeyType {
        var certificate = CertManagerCertificate(name: "web", namespace: "default")
        certificate.object[["spec"]] = ["privateKey": privateKey]
        return try IssueTargets.keyType(certificate.privateKey, fallback: .ec256)
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
