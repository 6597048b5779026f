@testable import CertCore
import Foundation
import TestSupport
import Testing

/// The public half of private keys read from their DER without OpenSSL's decoder: the same
/// SubjectPublicKeyInfo bytes OpenSSL gives, for every kind and PEM form; the forms it does not
/// cover still answer through OpenSSL.
@Suite(.lab) struct PrivateKeyDERTests {
    struct Kind: Sendable, CustomStringConvertible {
        var name: String
        var genpkey: [String]
        var isEC: Bool
        var description: String { name }
    }

    static let kinds = [
        Kind(name: "rsa2048", genpkey: ["-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048"], isEC: false),
        Kind(name: "rsa3072", genpkey: ["-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:3072"], isEC: false),
        Kind(name: "rsa4096", genpkey: ["-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:4096"], isEC: false),
        Kind(name: "p256", genpkey: ["-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256"], isEC: true),
        Kind(name: "p384", genpkey: ["-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-384"], isEC: true),
        Kind(name: "p521", genpkey: ["-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-521"], isEC: true),
        Kind(name: "ed25519", genpkey: ["-algorithm", "ED25519"], isEC: false),
    ]

    @Test(arguments: kinds)
    func everyPEMFormGivesOpenSSLsPublicKeyAndMatchesOnlyItsCertificate(kind: Kind) throws {
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        func path(_ name: String) -> String { scratch.url.appendingPathComponent(name).path }
        func openssl(_ arguments: [String]) throws -> Subprocess.Result {
            let result = try Subprocess.run("openssl", arguments)
            #expect(result.status == 0, "openssl \(arguments.joined(separator: " ")): \(result.stderr)")
            return result
        }
        _ = try openssl(["genpkey"] + kind.genpkey + ["-out", path("pkcs8.pem")])
        _ = try openssl(["genpkey"] + kind.genpkey + ["-out", path("other.pem")])
        // Form → whether the DER reading covers it (the rest goes to OpenSSL).
        var forms: [(file: String, label: String, covered: Bool)] = [("pkcs8.pem", "PRIVATE KEY", kind.name != "ed25519")]
        if kind.isEC {
            _ = try openssl(["ec", "-in", path("pkcs8.pem"), "-out", path("sec1.pem")])
            _ = try openssl(["ec", "-in", path("pkcs8.pem"), "-no_public", "-out", path("sec1-no-public.pem")])
            _ = try openssl(["ec", "-in", path("pkcs8.pem"), "-conv_form", "compressed", "-out", path("sec1-compressed.pem")])
            _ = try openssl(["pkcs8", "-topk8", "-nocrypt", "-in", path("sec1-compressed.pem"), "-out", path("pkcs8-compressed.pem")])
            forms += [("sec1.pem", "EC PRIVATE KEY", true), ("sec1-no-public.pem", "EC PRIVATE KEY", false),
                      ("sec1-compressed.pem", "EC PRIVATE KEY", true), ("pkcs8-compressed.pem", "PRIVATE KEY", true)]
        } else if kind.name.hasPrefix("rsa") {
            _ = try openssl(["pkey", "-in", path("pkcs8.pem"), "-traditional", "-out", path("pkcs1.pem")])
            forms.append(("pkcs1.pem", "RSA PRIVATE KEY", true))
        }
        _ = try openssl(["req", "-x509", "-key", path("pkcs8.pem"), "-subj", "/CN=\(kind.name).example.test", "-days", "1", "-out", path("cert.pem")])
        let certificate = try #require(try Certificate.parseChain(pem: String(contentsOfFile: path("cert.pem"), encoding: .utf8)).first)
        let otherPEM = try String(contentsOfFile: path("other.pem"), encoding: .utf8)

        for form in forms {
            let pem = try String(contentsOfFile: path(form.file), encoding: .utf8)
            #expect(pem.contains("-----BEGIN \(form.label)-----"), "\(form.file)")
            let expected = try Self.publicKeyDER(path(form.file))
            let block = try #require(PEM.decode(pem, label: form.label)?.first)
            let direct = PrivateKeyDER.subjectPublicKeyInfo(label: form.label, der: block)
            #expect((direct != nil) == form.covered, "\(form.file)")
            if let direct { #expect(direct == expected, "\(form.file)") }
            #expect(try PrivateKey.publicKeyInfo(pem: pem) == expected, "\(form.file)")
            // OpenSSL keeps a compressed public point compressed, so such a key's SPKI is not the
            // certificate's (uncompressed) one — as before the DER reading.
            #expect(certificate.matches(keyPEM: pem) == !form.file.contains("compressed"), "\(form.file)")
        }
        #expect(!certificate.matches(keyPEM: otherPEM))
    }

    /// Keys the project makes, in both of its encodings: the DER reading gives exactly the bytes
    /// OpenSSL encodes from the decoded key.
    @Test func manyKeysGiveTheSameBytesAsOpenSSLsEncoding() throws {
        var checked = 0
        for index in 0..<40 {
            let type = [KeyType.ec256, .ec384, .rsa2048, .ec256, .ec384][index % 5]
            let key = try PrivateKey.generate(type)
            for encoding in [PrivateKeyEncoding.traditional, .pkcs8] {
                let pem = try key.pem(encoding: encoding)
                let label = encoding == .pkcs8 ? "PRIVATE KEY" : (type.isEC ? "EC PRIVATE KEY" : "RSA PRIVATE KEY")
                let block = try #require(PEM.decode(pem, label: label)?.first)
                #expect(PrivateKeyDER.subjectPublicKeyInfo(label: label, der: block) == key.publicKeyInfo)
                checked += 1
            }
        }
        #expect(checked == 80)
    }

    /// Mutated key DER: whatever the DER reading accepts, OpenSSL reads too, with the same
    /// public key; it never traps.
    @Test func mutatedKeysAreNeverReadDifferentlyFromOpenSSL() throws {
        let samples = try [(KeyType.ec256, PrivateKeyEncoding.traditional), (.ec384, .pkcs8), (.rsa2048, .traditional), (.rsa2048, .pkcs8)].map { type, encoding in
            let pem = try PrivateKey.generate(type).pem(encoding: encoding)
            let label = encoding == .pkcs8 ? "PRIVATE KEY" : (type.isEC ? "EC PRIVATE KEY" : "RSA PRIVATE KEY")
            return (label, [UInt8](try #require(PEM.decode(pem, label: label)?.first)))
        }
        var accepted = 0, refused = 0
        for (label, der) in samples {
            for index in der.indices {
                for replacement: UInt8 in [0x00, 0x80, 0xFF, der[index] ^ 0x01] where replacement != der[index] {
                    var mutated = der
                    mutated[index] = replacement
                    guard let direct = PrivateKeyDER.subjectPublicKeyInfo(label: label, der: Data(mutated)) else {
                        refused += 1
                        continue
                    }
                    accepted += 1
                    // E.g. a changed secret: OpenSSL does not check that it agrees with the
                    // public point, and gives that point.
                    let pem = PEM.encode(Data(mutated), label: label)
                    #expect((try? PrivateKey.decodedPublicKeyInfo(pem: pem)) == direct, "\(label) byte \(index) → \(replacement)")
                }
            }
            for length in 0..<der.count {
                #expect(PrivateKeyDER.subjectPublicKeyInfo(label: label, der: Data(der.prefix(length))) == nil)
            }
        }
        #expect(accepted > 0 && refused > 0)
    }

    static func publicKeyDER(_ keyPath: String) throws -> Data {
        let out = keyPath + ".pub.der"
        let result = try Subprocess.run("openssl", ["pkey", "-in", keyPath, "-pubout", "-outform", "DER", "-out", out])
        guard result.status == 0 else { throw OpenSSLCommandFailed(description: result.stderr) }
        return try Data(contentsOf: URL(fileURLWithPath: out))
    }
}
