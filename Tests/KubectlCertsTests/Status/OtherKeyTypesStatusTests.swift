@testable import kubectl_certs
import CertCore
import Foundation
import TestSupport
import Testing

/// `status` judges a Secret whose key is of a kind `issue` never makes (P-521, Ed25519,
/// RSA 8192) by whether the key belongs to the certificate, like any other.
@Suite(.lab) struct OtherKeyTypesStatusTests {
    /// A self-signed certificate and its key, made by the `openssl` command.
    struct Pair {
        var certificatePEM: Data
        var keyPEM: Data
    }

    /// RSA 8192 takes seconds to generate: one pair per test run.
    static let rsa8192: Result<Pair, any Error> = Result { try makePair("rsa8192", host: "big.keys.example.test", algorithm: ["-newkey", "rsa:8192"], traditional: true) }

    static func makePair(_ label: String, host: String, algorithm: [String], traditional: Bool = false) throws -> Pair {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("keys-\(label)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        var key = dir.appendingPathComponent("key.pem").path
        let cert = dir.appendingPathComponent("cert.pem").path
        try openssl(["req", "-x509"] + algorithm + ["-nodes", "-keyout", key, "-out", cert, "-days", "30", "-subj", "/CN=\(host)",
                     "-addext", "subjectAltName=DNS:\(host)"])
        if traditional {
            // The older per-algorithm PEM forms (SEC1 "EC PRIVATE KEY", PKCS#1 "RSA PRIVATE KEY").
            let converted = dir.appendingPathComponent("traditional.pem").path
            try openssl(["pkey", "-in", key, "-traditional", "-out", converted])
            key = converted
        }
        return Pair(certificatePEM: try Data(contentsOf: URL(fileURLWithPath: cert)), keyPEM: try Data(contentsOf: URL(fileURLWithPath: key)))
    }

    static func openssl(_ arguments: [String]) throws {
        let result = try Subprocess.run("openssl", arguments)
        try #require(result.status == 0, "openssl \(arguments.prefix(2).joined(separator: " ")) failed: \(result.stderr)")
    }

    func evaluate(_ pair: Pair, key: Data? = nil, host: String) -> (HealthState, String?) {
        let contents: StatusEvaluation.SecretContents
        do {
            contents = .parsed(try CertificateFacts.parse(secretData: ["tls.crt": pair.certificatePEM, "tls.key": key ?? pair.keyPEM], trustedRoots: TrustedRoots(bundlePath: "/nonexistent")))
        } catch {
            contents = .unusable(error.description)
        }
        return StatusEvaluation(now: Date(), within: nil).evaluate(contents, secretName: "s", hosts: [host], ready: nil)
    }

    @Test func aP521KeyInPKCS8IsValid() throws {
        let pair = try Self.makePair("p521", host: "p521.keys.example.test", algorithm: ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-521"])
        #expect(evaluate(pair, host: "p521.keys.example.test").0 == .valid)
    }

    @Test func aP521KeyInSEC1IsValid() throws {
        let pair = try Self.makePair("p521-sec1", host: "sec1.keys.example.test", algorithm: ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-521"], traditional: true)
        #expect(String(decoding: pair.keyPEM, as: UTF8.self).contains("BEGIN EC PRIVATE KEY"))
        #expect(evaluate(pair, host: "sec1.keys.example.test").0 == .valid)
    }

    @Test func anEd25519KeyIsValid() throws {
        let pair = try Self.makePair("ed25519", host: "ed.keys.example.test", algorithm: ["-newkey", "ed25519"])
        #expect(evaluate(pair, host: "ed.keys.example.test").0 == .valid)
    }

    @Test func anRSA8192KeyIsValid() throws {
        let pair = try Self.rsa8192.get()
        #expect(String(decoding: pair.keyPEM, as: UTF8.self).contains("BEGIN RSA PRIVATE KEY"))
        #expect(evaluate(pair, host: "big.keys.example.test").0 == .valid)
    }

    @Test func anEd25519KeyOfAnotherCertificateIsInvalid() throws {
        let pair = try Self.makePair("ed-a", host: "eda.keys.example.test", algorithm: ["-newkey", "ed25519"])
        let other = try Self.makePair("ed-b", host: "edb.keys.example.test", algorithm: ["-newkey", "ed25519"])
        let (state, reason) = evaluate(pair, key: other.keyPEM, host: "eda.keys.example.test")
        #expect(state == .invalid)
        #expect(reason == "tls.key is missing or does not match the certificate")
    }

    @Test func issueStillRefusesToUseKeysItDoesNotGenerate() throws {
        let pair = try Self.makePair("ed-issue", host: "edi.keys.example.test", algorithm: ["-newkey", "ed25519"])
        #expect(throws: CryptoError.self) { try PrivateKey(pem: String(decoding: pair.keyPEM, as: UTF8.self)) }
    }
}
