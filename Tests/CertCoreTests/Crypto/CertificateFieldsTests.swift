@testable import CertCore
import Foundation
import TestSupport
import Testing

/// Certificates read field by field (no `d2i_X509`): every property of many distinct
/// certificates made with the `openssl` command equals what that command prints about them.
@Suite(.lab) struct CertificateFieldsTests {
    /// How to make one certificate.
    struct Recipe: Sendable, CustomStringConvertible {
        var label: String
        /// `openssl genpkey` arguments.
        var key: [String]
        var subject: String
        /// nil: a version 1 certificate (no extensions at all).
        var extensions: [String]?
        var days: Int = 30
        /// Hex, as `-set_serial 0x…` takes it.
        var serial: String
        var selfSigned = false
        var digest = "-sha256"

        var description: String { label }
    }

    static let rsa2048 = ["-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048"]
    static let p256 = ["-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256"]

    static let recipes: [Recipe] = [
        Recipe(label: "rsa2048-dns", key: rsa2048, subject: "/CN=a.example.test",
               extensions: ["subjectAltName=DNS:a.example.test,DNS:*.b.example.test", "subjectKeyIdentifier=hash",
                            "authorityKeyIdentifier=keyid", "basicConstraints=CA:FALSE"],
               serial: "3A1F00C2D4"),
        Recipe(label: "rsa3072-ca-long-serial", key: ["-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:3072"], subject: "/O=Example Root Org/CN=Example Root R3",
               extensions: ["basicConstraints=critical,CA:TRUE", "keyUsage=critical,keyCertSign,cRLSign", "subjectKeyIdentifier=hash",
                            "authorityKeyIdentifier=keyid"],
               serial: "7F0102030405060708090A0B0C0D0E0F10111213", selfSigned: true),
        Recipe(label: "rsa4096-ips-leading-zero-serial", key: ["-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:4096"], subject: "/CN=ip.example.test",
               extensions: ["subjectAltName=DNS:ip.example.test,IP:192.0.2.7,IP:2001:db8::1,IP:::1"],
               serial: "80FFEE0011223344"),
        Recipe(label: "p256-uri-email", key: p256, subject: "/CN=svc.example.test/OU=Operations",
               extensions: ["subjectAltName=DNS:svc.example.test,URI:https://svc.example.test/api,email:ops@example.test,URI:spiffe://example.test/ns/web",
                            "subjectKeyIdentifier=hash"],
               serial: "01"),
        Recipe(label: "p384-v1-generalized-time", key: ["-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-384"], subject: "/CN=old.example.test/O=V1 Org",
               extensions: nil, days: 20_000, serial: "00FF", selfSigned: true, digest: "-sha384"),
        Recipe(label: "p521-utf8-escapes", key: ["-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-521"],
               subject: "/CN=Zoë Müller, Jr./O=Quote\"Semi;Less<More>/OU=#hash\\+plus=eq/L= leading space",
               extensions: ["subjectAltName=DNS:xn--zo-tia.example.test", "authorityKeyIdentifier=keyid"],
               days: 9_500, serial: "5EED5EED5EED5EED5EED"),
        Recipe(label: "ed25519", key: ["-algorithm", "ED25519"], subject: "/CN=ed.example.test",
               extensions: ["subjectAltName=DNS:ed.example.test", "basicConstraints=CA:FALSE"],
               serial: "0ED25519", selfSigned: true, digest: ""),
        Recipe(label: "p256-v1-signed-by-ca", key: p256, subject: "/CN=v1.example.test",
               extensions: nil, serial: "00D0"),
        Recipe(label: "rsa2048-intermediate-multivalued", key: rsa2048, subject: "/O=Example Org/CN=Example Issuing CA+serialNumber=7",
               extensions: ["basicConstraints=critical,CA:TRUE,pathlen:0", "subjectKeyIdentifier=hash", "authorityKeyIdentifier=keyid"],
               serial: "1234567890ABCDEF1234567890ABCDEF"),
        Recipe(label: "p256-no-identifiers", key: p256, subject: "/CN=bare.example.test",
               extensions: ["subjectAltName=DNS:bare.example.test,DNS:www.bare.example.test", "extendedKeyUsage=serverAuth"],
               serial: "6B"),
    ]

    @Test(arguments: recipes)
    func everyPropertyEqualsWhatTheOpenSSLCommandSays(recipe: Recipe) throws {
        let pki = try TestPKI(name: "Fields CA \(recipe.label)")
        let made = try Self.make(recipe, pki: pki)
        let pem = try String(contentsOfFile: made.certificate, encoding: .utf8)
        let certificate = try #require(try Certificate.parseChain(pem: pem).first)

        func show(_ arguments: [String]) throws -> String {
            let result = try Subprocess.run("openssl", ["x509", "-in", made.certificate, "-noout"] + arguments)
            #expect(result.status == 0, "\(result.stderr)")
            return result.stdout
        }
        func value(_ text: String, after prefix: String) -> String {
            text.split(separator: "\n").first { $0.hasPrefix(prefix) }.map { String($0.dropFirst(prefix.count)) } ?? ""
        }

        #expect(certificate.subject == value(try show(["-subject", "-nameopt", "RFC2253"]), after: "subject="))
        #expect(certificate.issuer == value(try show(["-issuer", "-nameopt", "RFC2253"]), after: "issuer="))
        #expect(certificate.subjectCommonName == Self.commonName(try show(["-subject", "-nameopt", "sep_multiline,utf8,sname"])))
        #expect(certificate.issuerCommonName == Self.commonName(try show(["-issuer", "-nameopt", "sep_multiline,utf8,sname"])))
        #expect(certificate.serialNumber == value(try show(["-serial"]), after: "serial=").lowercased())

        let dates = try show(["-dates", "-dateopt", "iso_8601"])
        #expect(certificate.notBefore == Self.isoDate(value(dates, after: "notBefore=")))
        #expect(certificate.notAfter == Self.isoDate(value(dates, after: "notAfter=")))

        let extensions = try show(["-ext", "subjectAltName,subjectKeyIdentifier,authorityKeyIdentifier,basicConstraints"])
        let san = Self.extensionBody(extensions, "X509v3 Subject Alternative Name")?.components(separatedBy: ", ") ?? []
        #expect(certificate.dnsNames == san.filter { $0.hasPrefix("DNS:") }.map { String($0.dropFirst(4)) })
        #expect(certificate.uris == san.filter { $0.hasPrefix("URI:") }.map { String($0.dropFirst(4)) })
        #expect(certificate.emailAddresses == san.filter { $0.hasPrefix("email:") }.map { String($0.dropFirst(6)) })
        #expect(certificate.ipAddresses.map(Self.addressBytes) == san.filter { $0.hasPrefix("IP Address:") }.map { Self.addressBytes(String($0.dropFirst(11))) })
        #expect(certificate.subjectKeyIdentifier == Self.extensionBody(extensions, "X509v3 Subject Key Identifier").map(Self.colonHex))
        #expect(certificate.authorityKeyIdentifier == Self.extensionBody(extensions, "X509v3 Authority Key Identifier").map(Self.colonHex))
        #expect(certificate.isCA == (Self.extensionBody(extensions, "X509v3 Basic Constraints")?.contains("CA:TRUE") ?? false))

        let text = try show(["-text"])
        // The command prints OpenSSL's long name; the property is its short name, which differs
        // only for RSA (OBJ_nid2sn: "RSA-SHA256" for sha256WithRSAEncryption).
        let longName = value(text.replacingOccurrences(of: "    ", with: ""), after: "Signature Algorithm: ")
        let shortNames = ["sha256WithRSAEncryption": "RSA-SHA256", "sha384WithRSAEncryption": "RSA-SHA384", "sha512WithRSAEncryption": "RSA-SHA512"]
        #expect(certificate.signatureAlgorithm == shortNames[longName] ?? longName)
        #expect(certificate.publicKeyDescription == Self.keyDescription(text))
        #expect(text.contains(recipe.extensions == nil ? "Version: 1 (0x0)" : "Version: 3 (0x2)"))

        let ownKey = try String(contentsOfFile: made.key, encoding: .utf8)
        #expect(certificate.matches(keyPEM: ownKey))
        #expect(!certificate.matches(keyPEM: try String(contentsOfFile: pki.ca.keyPath, encoding: .utf8)))
        #expect(certificate.pem == pem)
    }

    /// A certificate for the project's own key and request: its names are the request's (in
    /// A-label form), as the command prints them, and the key matches it in both encodings.
    @Test(arguments: [KeyType.ec384, .rsa2048])
    func aCertificateForTheProjectsOwnRequestIsReadAndMatchesItsKey(type: KeyType) throws {
        let pki = try TestPKI(name: "Fields CA own request")
        let key = try PrivateKey.generate(type)
        let request = try CertificateSigningRequest(commonName: "bücher-\(type.rawValue).example.test",
                                                    dnsNames: ["bücher-\(type.rawValue).example.test", "*.own-\(type.rawValue).example.test"], privateKey: key)
        let requestPath = pki.directory.appendingPathComponent("own.csr").path
        let certificatePath = pki.directory.appendingPathComponent("own.pem").path
        try request.pem.write(toFile: requestPath, atomically: true, encoding: .utf8)
        try Self.run(["x509", "-req", "-in", requestPath, "-CA", pki.ca.certificatePath, "-CAkey", pki.ca.keyPath, "-set_serial", "0x0C5A",
                      "-days", "7", "-copy_extensions", "copy", "-out", certificatePath])
        let certificate = try #require(try Certificate.parseChain(pem: String(contentsOfFile: certificatePath, encoding: .utf8)).first)
        let printed = try Subprocess.run("openssl", ["x509", "-in", certificatePath, "-noout", "-ext", "subjectAltName", "-subject", "-nameopt", "RFC2253"]).stdout
        let names = Self.extensionBody(printed, "X509v3 Subject Alternative Name")?.components(separatedBy: ", ").map { String($0.dropFirst(4)) }
        #expect(certificate.dnsNames == names)
        #expect(certificate.dnsNames.first?.hasPrefix("xn--bcher-") == true)
        #expect(printed.contains("subject=CN=\(certificate.subjectCommonName ?? "-")"))
        #expect(certificate.serialNumber == "0c5a")
        #expect(certificate.matches(key))
        #expect(certificate.matches(keyPEM: try key.pem()))
        #expect(certificate.matches(keyPEM: try key.pem(encoding: .pkcs8)))
        #expect(!certificate.matches(keyPEM: try PrivateKey.generate(type).pem()))
    }

    @Test func aRepeatedExtensionCountsAsAbsentAsInOpenSSL() throws {
        let pki = try TestPKI(name: "Fields CA repeated")
        let recipe = Recipe(label: "repeated", key: Self.p256, subject: "/CN=twice.example.test",
                            extensions: ["subjectAltName=DNS:one.example.test", "subjectKeyIdentifier=hash"], serial: "0BADC0DE")
        let made = try Self.make(recipe, pki: pki)
        let pem = try String(contentsOfFile: made.certificate, encoding: .utf8)
        let certificate = try #require(try Certificate.parseChain(pem: pem).first)
        #expect(certificate.dnsNames == ["one.example.test"])

        // The same TBSCertificate with its subjectAltName extension written twice (unsigned:
        // reading does not check signatures): OpenSSL's X509_get_ext_d2i refuses a repeated
        // extension, and so do the fields read here.
        var bytes = [UInt8](certificate.der)
        let fields = try CertificateDER(bytes)
        let san = try #require(fields.extensionValue(CertificateDER.Extension.subjectAlternativeName))
        bytes = Self.repeatingExtension(bytes, value: san)
        let repeated = try Certificate(der: Data(bytes))
        #expect(repeated.dnsNames.isEmpty)
        #expect(repeated.subjectKeyIdentifier == certificate.subjectKeyIdentifier)
    }

    /// A real certificate cut short at every length, with a byte added, and with every byte
    /// replaced by values that break tags and lengths: an error each time it is not a whole
    /// certificate, never a trap, and nothing is read that `d2i_X509` would refuse.
    @Test(arguments: [
        Recipe(label: "malformed-p256", key: p256, subject: "/CN=m.example.test/O=Mutations",
               extensions: ["subjectAltName=DNS:m.example.test,IP:192.0.2.9,URI:https://m.example.test/", "subjectKeyIdentifier=hash",
                            "authorityKeyIdentifier=keyid", "basicConstraints=critical,CA:FALSE"],
               serial: "4D555441"),
        Recipe(label: "malformed-rsa", key: rsa2048, subject: "/CN=rsa.m.example.test", extensions: ["basicConstraints=critical,CA:TRUE"],
               serial: "00C0FFEE", selfSigned: true),
        Recipe(label: "malformed-ed25519-v1", key: ["-algorithm", "ED25519"], subject: "/CN=ed.m.example.test", extensions: nil,
               serial: "ED", selfSigned: true, digest: ""),
    ])
    func malformedDERIsAnErrorNeverACrash(recipe: Recipe) throws {
        let pki = try TestPKI(name: "Fields CA \(recipe.label)")
        let pem = try String(contentsOfFile: try Self.make(recipe, pki: pki).certificate, encoding: .utf8)
        let der = [UInt8](try #require(try Certificate.parseChain(pem: pem).first).der)

        for length in 0..<der.count {
            let error = #expect(throws: CryptoError.self) { try Certificate(der: Data(der.prefix(length))) }
            #expect(error?.message.hasPrefix("the certificate is not well-formed DER") == true, "cut at \(length): \(error?.message ?? "")")
        }
        let trailing = #expect(throws: CryptoError.self) { try Certificate(der: Data(der + [0x00])) }
        #expect(trailing?.message.contains("1 unexpected bytes follow the certificate") == true)

        var read = 0, refused = 0
        for index in der.indices {
            for replacement: UInt8 in [0x00, 0x01, 0x7F, 0x80, 0x81, 0x84, 0xFF, der[index] ^ 0x20] where replacement != der[index] {
                var mutated = der
                mutated[index] = replacement
                do {
                    _ = try Certificate(der: Data(mutated))
                    read += 1
                    #expect((try? X509Handle(der: Data(mutated))) != nil, "byte \(index) → \(replacement) was read, but d2i_X509 refuses it")
                } catch {
                    refused += 1
                    #expect(!error.message.isEmpty)
                }
            }
        }
        #expect(read > 0 && refused > 0)
    }

    // MARK: - Making certificates

    struct Made {
        var certificate: String
        var key: String
    }

    static func make(_ recipe: Recipe, pki: TestPKI) throws -> Made {
        let directory = pki.directory
        let key = directory.appendingPathComponent("\(recipe.label)-key.pem").path
        let request = directory.appendingPathComponent("\(recipe.label).csr").path
        let certificate = directory.appendingPathComponent("\(recipe.label).pem").path
        try run(["genpkey"] + recipe.key + ["-out", key])
        try run(["req", "-new", "-utf8", "-key", key, "-subj", recipe.subject, "-out", request])
        var signing = ["x509", "-req", "-in", request, "-days", String(recipe.days), "-set_serial", "0x" + recipe.serial, "-out", certificate]
        signing += recipe.selfSigned ? ["-signkey", key] : ["-CA", pki.ca.certificatePath, "-CAkey", pki.ca.keyPath]
        if !recipe.digest.isEmpty { signing.append(recipe.digest) }
        if let extensions = recipe.extensions {
            let file = directory.appendingPathComponent("\(recipe.label).ext")
            try (extensions.joined(separator: "\n") + "\n").write(to: file, atomically: true, encoding: .utf8)
            signing += ["-extfile", file.path]
        }
        try run(signing)
        return Made(certificate: certificate, key: key)
    }

    static func run(_ arguments: [String]) throws {
        let result = try Subprocess.run("openssl", arguments)
        guard result.status == 0 else { throw OpenSSLCommandFailed(description: "openssl \(arguments.joined(separator: " ")): \(result.stderr)") }
    }

    // MARK: - Reading what the command prints

    /// The first CN in `-nameopt sep_multiline,utf8,sname` output.
    static func commonName(_ text: String) -> String? {
        for line in text.split(separator: "\n") {
            for part in line.trimmingCharacters(in: .whitespaces).components(separatedBy: " + ") where part.hasPrefix("CN=") {
                return String(part.dropFirst(3))
            }
        }
        return nil
    }

    /// `2026-12-02 01:45:44Z`.
    static func isoDate(_ text: String) -> Date? {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyy-MM-dd HH:mm:ss'Z'"
        return formatter.date(from: text)
    }

    /// The indented line after an extension's heading in `-ext` output.
    static func extensionBody(_ text: String, _ heading: String) -> String? {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        guard let index = lines.firstIndex(where: { $0.hasPrefix(heading) }), index + 1 < lines.count else { return nil }
        return lines[index + 1].trimmingCharacters(in: .whitespaces)
    }

    /// "keyid:AB:CD" or "AB:CD" → bytes.
    static func colonHex(_ text: String) -> Data {
        let hex = text.hasPrefix("keyid:") ? String(text.dropFirst(6)) : text
        return Data(hex.split(separator: ":").compactMap { UInt8($0, radix: 16) })
    }

    /// An IPv4 or IPv6 address as its bytes, whatever way it is written.
    static func addressBytes(_ text: String) -> [UInt8] {
        var four = in_addr(), six = in6_addr()
        if inet_pton(AF_INET, text, &four) == 1 { return withUnsafeBytes(of: four) { Array($0) } }
        if inet_pton(AF_INET6, text, &six) == 1 { return withUnsafeBytes(of: six) { Array($0) } }
        return []
    }

    /// The description the plugin shows, from `-text` output.
    static func keyDescription(_ text: String) -> String {
        let lines = text.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
        let algorithm = lines.first { $0.hasPrefix("Public Key Algorithm: ") }.map { String($0.dropFirst(22)) }
        switch algorithm {
        case "rsaEncryption":
            let bits = lines.first { $0.hasPrefix("Public-Key: (") }?.dropFirst(13).prefix { $0.isNumber } ?? ""
            return "RSA \(bits)"
        case "id-ecPublicKey":
            return "ECDSA " + (lines.first { $0.hasPrefix("NIST CURVE: ") }.map { String($0.dropFirst(12)) } ?? "")
        case "ED25519":
            return "Ed25519"
        default:
            return "unknown"
        }
    }

    // MARK: - Editing DER

    /// `certificate` with one more extension, a copy of subjectAltName whose value is `value`,
    /// appended to the list; every enclosing length is rewritten.
    static func repeatingExtension(_ certificate: [UInt8], value: ArraySlice<UInt8>) -> [UInt8] {
        let added = DER.encode(DER.Tag.sequence, DER.encode(DER.Tag.objectIdentifier, CertificateDER.Extension.subjectAlternativeName) + DER.encode(DER.Tag.octetString, Array(value)))
        var outer = DER.Reader(certificate, reading: "test")
        let whole = try! outer.read(DER.Tag.sequence, "certificate")
        var parts = outer.inside(whole)
        let tbs = try! parts.read(DER.Tag.sequence, "tbs")
        let rest = Array(certificate[tbs.encoding.upperBound..<whole.encoding.upperBound])
        var fields = parts.inside(tbs)
        var before: [UInt8] = []
        var newTBS: [UInt8] = []
        while !fields.isAtEnd {
            let element = try! fields.next("field")
            if element.tag == DER.Tag.explicit(3) {
                var wrapper = fields.inside(element)
                let list = try! wrapper.read(DER.Tag.sequence, "list")
                let extended = DER.encode(DER.Tag.sequence, Array(certificate[list.contents]) + added)
                newTBS = before + DER.encode(DER.Tag.explicit(3), extended)
            } else {
                before += certificate[element.encoding]
            }
        }
        return DER.encode(DER.Tag.sequence, DER.encode(DER.Tag.sequence, newTBS) + rest)
    }
}

/// An `openssl` command a test ran failed.
struct OpenSSLCommandFailed: Error, CustomStringConvertible {
    var description: String
}
