import CertCore
import Foundation
import TestSupport
import Testing

/// Keys, JWS, CSRs and certificates, checked against RFC vectors and the `openssl` command.
@Suite(.lab) struct CryptoTests {
    let directory: URL

    init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("crypto-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    func file(_ name: String, _ contents: String) throws -> String {
        let path = directory.appendingPathComponent(name).path
        try contents.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    func openssl(_ arguments: [String], input: Data? = nil) throws -> Subprocess.Result {
        try Subprocess.run("openssl", arguments, input: input)
    }

    @Test func theRFC7638ThumbprintExample() {
        let n = "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw"
        let jwk = JWK(canonicalJSON: #"{"e":"AQAB","kty":"RSA","n":"\#(n)"}"#)
        #expect(jwk.thumbprint == "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs")
    }

    @Test(arguments: KeyType.allCases)
    func keysRoundTripInBothEncodingsAndOpenSSLReadsThem(type: KeyType) throws {
        let key = try PrivateKey.generate(type)
        #expect(key.type == type)
        let traditional = try key.pem()
        let pkcs8 = try key.pem(encoding: .pkcs8)
        #expect(traditional.hasPrefix(type.rawValue.hasPrefix("ec") ? "-----BEGIN EC PRIVATE KEY-----" : "-----BEGIN RSA PRIVATE KEY-----"))
        #expect(pkcs8.hasPrefix("-----BEGIN PRIVATE KEY-----"))
        for pem in [traditional, pkcs8] {
            let again = try PrivateKey(pem: pem)
            #expect(again.type == type)
            #expect(again.publicJWK == key.publicJWK)
            #expect(try openssl(["pkey", "-in", try file("key-\(UUID().uuidString).pem", pem), "-noout"]).status == 0)
        }
        #expect(!key.description.contains(traditional.dropFirst(40).prefix(20)))
    }

    @Test(arguments: [("ec", "ec_paramgen_curve:P-384", KeyType.ec384), ("rsa", "rsa_keygen_bits:3072", KeyType.rsa3072)])
    func keysTheOpenSSLCommandMakesAreRead(algorithm: String, option: String, type: KeyType) throws {
        let pkcs8 = directory.appendingPathComponent("made.pem").path
        #expect(try openssl(["genpkey", "-algorithm", algorithm, "-pkeyopt", option, "-out", pkcs8]).status == 0)
        let traditional = directory.appendingPathComponent("made-traditional.pem").path
        #expect(try openssl(["pkey", "-in", pkcs8, "-out", traditional, "-traditional"]).status == 0)
        for path in [pkcs8, traditional] {
            #expect(try PrivateKey(pem: String(contentsOfFile: path, encoding: .utf8)).type == type)
        }
    }

    @Test func garbageIsNotAKeyAndTheErrorShowsNoKeyMaterial() throws {
        let error = #expect(throws: CryptoError.self) { try PrivateKey(pem: "-----BEGIN PRIVATE KEY-----\nMIIBVQIBADANBgkqhkiG9w0BAQEFAASC\n-----END PRIVATE KEY-----\n") }
        #expect(error?.message.contains("MIIBVQ") == false)
        #expect(error?.message.contains("not an unencrypted PEM private key") == true)
    }

    @Test(arguments: [KeyType.ec256, .ec384, .rsa2048])
    func jwsSignaturesVerifyWithOpenSSL(type: KeyType) throws {
        let key = try PrivateKey.generate(type)
        let jws = try JWS.sign(payload: Data(#"{"hello":"world"}"#.utf8), url: "https://ca.test/new-order", nonce: "n0nce", keyID: "https://ca.test/acct/1", key: key)
        let object = try #require(try JSONSerialization.jsonObject(with: jws) as? [String: String])
        let protectedText = try #require(object["protected"])
        let protected = try #require(Base64URL.decode(protectedText))
        let header = try #require(try JSONSerialization.jsonObject(with: protected) as? [String: Any])
        #expect(header["alg"] as? String == type.jwsAlgorithm)
        #expect(header["kid"] as? String == "https://ca.test/acct/1")
        #expect(header["jwk"] == nil)
        #expect(header["nonce"] as? String == "n0nce")
        #expect(header["url"] as? String == "https://ca.test/new-order")
        #expect(Base64URL.decode(object["payload"]!) == Data(#"{"hello":"world"}"#.utf8))

        var signature = try #require(Base64URL.decode(object["signature"]!))
        if type != .rsa2048 {
            // openssl wants DER: SEQUENCE { INTEGER r, INTEGER s }.
            signature = derSignature(raw: signature)
        }
        let signingInput = "\(object["protected"]!).\(object["payload"]!)"
        let publicKey = directory.appendingPathComponent("pub.pem").path
        _ = try openssl(["pkey", "-in", try file("k.pem", try key.pem()), "-pubout", "-out", publicKey])
        let signaturePath = directory.appendingPathComponent("sig.der")
        try signature.write(to: signaturePath)
        let verify = try openssl(["dgst", type == .ec384 ? "-sha384" : "-sha256", "-verify", publicKey, "-signature", signaturePath.path], input: Data(signingInput.utf8))
        #expect(verify.stdout.contains("Verified OK"), "\(verify.stdout) \(verify.stderr)")
    }

    @Test func withoutAKeyIDTheHeaderCarriesTheJWK() throws {
        let key = try PrivateKey.generate(.ec256)
        let jws = try JWS.sign(payload: nil, url: "https://ca.test/new-acct", nonce: nil, keyID: nil, key: key)
        let object = try #require(try JSONSerialization.jsonObject(with: jws) as? [String: String])
        let header = String(decoding: Base64URL.decode(object["protected"]!)!, as: UTF8.self)
        #expect(header.contains(#""jwk":\#(key.publicJWK.canonicalJSON)"#))
        #expect(!header.contains("nonce"))
        #expect(object["payload"] == "")
    }

    @Test func externalAccountBindingIsHMACSHA256OverTheAccountKey() throws {
        let key = try PrivateKey.generate(.ec256)
        let hmacKey = Data((0..<32).map { UInt8($0) })
        let eab = try JWS.externalAccountBinding(accountKey: key.publicJWK, eabKeyID: "kid-1", hmacKey: hmacKey, url: "https://ca.test/new-acct")
        let object = try #require(try JSONSerialization.jsonObject(with: eab) as? [String: String])
        #expect(String(decoding: Base64URL.decode(object["protected"]!)!, as: UTF8.self) == #"{"alg":"HS256","kid":"kid-1","url":"https://ca.test/new-acct"}"#)
        #expect(Base64URL.decode(object["payload"]!) == Data(key.publicJWK.canonicalJSON.utf8))
        let hex = hmacKey.map { String(format: "%02x", $0) }.joined()
        let mac = try openssl(["mac", "-digest", "SHA256", "-macopt", "hexkey:\(hex)", "HMAC"], input: Data("\(object["protected"]!).\(object["payload"]!)".utf8))
        let expected = Base64URL.decode(object["signature"]!)!.map { String(format: "%02X", $0) }.joined()
        #expect(mac.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == expected)
    }

    @Test func certificateRequestsVerifyAndCarryTheNames() throws {
        let key = try PrivateKey.generate(.ec256)
        let csr = try CertificateSigningRequest(commonName: "example.test", dnsNames: ["example.test", "*.example.test", "bücher.example.test"], privateKey: key)
        let text = try openssl(["req", "-in", try file("csr.pem", csr.pem), "-verify", "-noout", "-text"])
        #expect(text.status == 0)
        #expect(text.stderr.contains("verify OK") || text.stdout.contains("verify OK"))
        #expect(text.stdout.contains("CN = example.test"))
        #expect(text.stdout.contains("DNS:example.test, DNS:*.example.test, DNS:xn--bcher-kva.example.test"))
        #expect(throws: CryptoError.self) { try CertificateSigningRequest(commonName: nil, dnsNames: [], privateKey: key) }
    }

    @Test func certificatesParseEveryField() throws {
        let pki = try TestPKI()
        let now = Date()
        let leaf = try pki.certificate("leaf", commonName: "www.example.test", dnsNames: ["www.example.test", "*.example.test"], notBefore: now.addingTimeInterval(-3600), notAfter: now.addingTimeInterval(86400 * 30))
        let pem = String(decoding: leaf.certificatePEM, as: UTF8.self)
        let certificate = try #require(try Certificate.parseChain(pem: pem).first)
        #expect(certificate.subject == "CN=www.example.test")
        #expect(certificate.subjectCommonName == "www.example.test")
        #expect(certificate.issuerCommonName == "Test CA")
        #expect(certificate.dnsNames == ["www.example.test", "*.example.test"])
        #expect(abs(certificate.notAfter.timeIntervalSince(now.addingTimeInterval(86400 * 30))) < 2)
        #expect(certificate.publicKeyDescription == "ECDSA P-256")
        #expect(certificate.signatureAlgorithm == "ecdsa-with-SHA256")
        #expect(certificate.subjectKeyIdentifier?.count == 20)
        #expect(certificate.authorityKeyIdentifier?.isEmpty == false)
        #expect(!certificate.isCA)
        let serial = try openssl(["x509", "-in", leaf.certificatePath, "-noout", "-serial"]).stdout
        #expect(serial.lowercased().contains(certificate.serialNumber.lowercased()))
        #expect(certificate.pem == pem)

        let server = try pki.server("ips", dnsNames: ["localhost"], ipAddresses: ["127.0.0.1", "::1"])
        let parsed = try #require(try Certificate.parseChain(pem: String(decoding: server.certificatePEM, as: UTF8.self)).first)
        #expect(parsed.ipAddresses == ["127.0.0.1", "::1"])

        #expect(certificate.matches(try PrivateKey(pem: String(decoding: leaf.keyPEM, as: UTF8.self))))
        #expect(!certificate.matches(try PrivateKey.generate(.ec256)))
        #expect(throws: CryptoError.self) { try Certificate.parseChain(pem: "no certificate here") }
    }

    @Test func chainsVerifyAndFailuresSayWhy() throws {
        let pki = try TestPKI(name: "Chain Root")
        let now = Date()
        let intermediate = try pki.certificate("int", commonName: "Chain Intermediate", notBefore: now.addingTimeInterval(-86400), notAfter: now.addingTimeInterval(86400 * 90), isCA: true)
        let leaf = try pki.certificate("leaf", commonName: "a.example.test", dnsNames: ["a.example.test"], notBefore: now.addingTimeInterval(-3600), notAfter: now.addingTimeInterval(86400 * 30), signer: intermediate)
        func parse(_ issued: TestPKI.Issued) throws -> Certificate { try Certificate.parseChain(pem: String(decoding: issued.certificatePEM, as: UTF8.self))[0] }
        let root = try parse(pki.ca), mid = try parse(intermediate), end = try parse(leaf)
        #expect(mid.isCA)

        try ChainVerifier.verify(chain: [end, mid], roots: [root])
        let missing = #expect(throws: CryptoError.self) { try ChainVerifier.verify(chain: [end], roots: [root]) }
        #expect(missing?.message.contains("unable to get local issuer certificate") == true)
        let expired = #expect(throws: CryptoError.self) { try ChainVerifier.verify(chain: [end, mid], roots: [root], at: now.addingTimeInterval(86400 * 60)) }
        #expect(expired?.message.contains("expired") == true)
        let other = try TestPKI(name: "Other Root")
        let wrongRoot = #expect(throws: CryptoError.self) { try ChainVerifier.verify(chain: [end, mid], roots: [try parse(other.ca)]) }
        #expect(wrongRoot?.message.contains("Chain Intermediate") == true)
    }

    /// DER ECDSA-Sig-Value from raw r‖s.
    private func derSignature(raw: Data) -> Data {
        func integer(_ bytes: Data) -> Data {
            var value = Data(bytes.drop { $0 == 0 })
            if value.isEmpty { value = Data([0]) }
            if value.first! & 0x80 != 0 { value.insert(0, at: 0) }
            return Data([0x02, UInt8(value.count)]) + value
        }
        let half = raw.count / 2
        let body = integer(raw.prefix(half)) + integer(raw.suffix(half))
        return Data([0x30, UInt8(body.count)]) + body
    }
}
