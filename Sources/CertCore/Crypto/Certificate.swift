public import Foundation
internal import COpenSSL

/// An X.509 certificate, parsed once into plain values.
public struct Certificate: Sendable, Equatable {
    public let der: Data
    public let subject: String
    public let subjectCommonName: String?
    public let issuer: String
    public let issuerCommonName: String?
    /// Lower-case hex, no separators.
    public let serialNumber: String
    public let notBefore: Date
    public let notAfter: Date
    public let dnsNames: [String]
    public let ipAddresses: [String]
    public let uris: [String]
    public let emailAddresses: [String]
    /// E.g. "ECDSA P-256", "RSA 2048".
    public let publicKeyDescription: String
    public let subjectKeyIdentifier: Data?
    public let authorityKeyIdentifier: Data?
    /// E.g. "ecdsa-with-SHA256", "sha256WithRSAEncryption".
    public let signatureAlgorithm: String
    public let isCA: Bool
    /// The DER SubjectPublicKeyInfo, to match private keys without parsing again.
    let publicKeyInfo: Data

    public static func == (lhs: Certificate, rhs: Certificate) -> Bool { lhs.der == rhs.der }

    /// Every CERTIFICATE block of a PEM text, in order; no block at all is an error.
    public static func parseChain(pem: String) throws(CryptoError) -> [Certificate] {
        guard let blocks = PEM.decode(pem, label: "CERTIFICATE") else {
            throw CryptoError("the PEM text is malformed (a CERTIFICATE block is cut off or not base64)")
        }
        guard !blocks.isEmpty else { throw CryptoError("the text holds no PEM certificate") }
        var chain: [Certificate] = []
        for block in blocks { chain.append(try Certificate(der: block)) }
        return chain
    }

    public init(der: Data) throws(CryptoError) {
        let handle = try X509Handle(der: der)
        let x509 = handle.pointer
        self.der = der
        subject = X509Handle.name(X509_get_subject_name(x509))
        subjectCommonName = X509Handle.commonName(X509_get_subject_name(x509))
        issuer = X509Handle.name(X509_get_issuer_name(x509))
        issuerCommonName = X509Handle.commonName(X509_get_issuer_name(x509))
        serialNumber = Self.serial(x509)
        notBefore = X509Handle.date(X509_get0_notBefore(x509))
        notAfter = X509Handle.date(X509_get0_notAfter(x509))
        let names = Self.subjectAlternativeNames(x509)
        dnsNames = names.dns
        ipAddresses = names.ip
        uris = names.uri
        emailAddresses = names.email
        publicKeyDescription = Self.keyDescription(X509_get0_pubkey(x509))
        subjectKeyIdentifier = X509Handle.bytes(X509_get0_subject_key_id(x509))
        authorityKeyIdentifier = X509Handle.bytes(X509_get0_authority_key_id(x509))
        signatureAlgorithm = String(cString: OBJ_nid2sn(X509_get_signature_nid(x509)))
        isCA = X509_get_extension_flags(x509) & UInt32(EXFLAG_CA) != 0
        publicKeyInfo = Self.publicKeyInfo(x509)
        CryptoError.clearOpenSSLErrors()
    }

    public var pem: String { PEM.encode(der, label: "CERTIFICATE") }

    /// Whether `key` is the private half of this certificate's public key.
    public func matches(_ key: PrivateKey) -> Bool {
        !publicKeyInfo.isEmpty && publicKeyInfo == key.publicKeyInfo
    }

    /// Whether the PEM private key in `keyPEM`, of any kind OpenSSL reads, is the private half
    /// of this certificate's public key.
    public func matches(keyPEM: String) -> Bool {
        guard !publicKeyInfo.isEmpty, let other = try? PrivateKey.publicKeyInfo(pem: keyPEM) else { return false }
        return publicKeyInfo == other
    }

    /// The SubjectPublicKeyInfo as stored in the certificate (re-encoded from its ASN.1, with
    /// no key decoding).
    private static func publicKeyInfo(_ x509: OpaquePointer) -> Data {
        var bytes: UnsafeMutablePointer<UInt8>?
        let length = i2d_X509_PUBKEY(X509_get_X509_PUBKEY(x509), &bytes)
        guard length > 0, let bytes else { return Data() }
        defer { COpenSSL_free(bytes) }
        return Data(bytes: bytes, count: Int(length))
    }

    private static func serial(_ x509: OpaquePointer) -> String {
        guard let number = ASN1_INTEGER_to_BN(X509_get0_serialNumber(x509), nil) else { return "" }
        defer { BN_free(number) }
        guard let hex = BN_bn2hex(number) else { return "" }
        defer { COpenSSL_free(hex) }
        return String(cString: hex).lowercased()
    }

    private static func subjectAlternativeNames(_ x509: OpaquePointer) -> (dns: [String], ip: [String], uri: [String], email: [String]) {
        var result: (dns: [String], ip: [String], uri: [String], email: [String]) = ([], [], [], [])
        guard let raw = X509_get_ext_d2i(x509, NID_subject_alt_name, nil, nil) else { return result }
        let names = OpaquePointer(raw)
        defer { GENERAL_NAMES_free(names) }
        for index in 0..<COpenSSL_GENERAL_NAMES_count(names) {
            guard let name = COpenSSL_GENERAL_NAMES_get(names, index) else { continue }
            let value = COpenSSL_GENERAL_NAME_string(name)
            switch name.pointee.type {
            case GEN_DNS: X509Handle.string(value).map { result.dns.append($0) }
            case GEN_URI: X509Handle.string(value).map { result.uri.append($0) }
            case GEN_EMAIL: X509Handle.string(value).map { result.email.append($0) }
            case GEN_IPADD: X509Handle.bytes(value).flatMap(ipText).map { result.ip.append($0) }
            default: break
            }
        }
        return result
    }

    private static func ipText(_ bytes: Data) -> String? {
        let family: Int32
        switch bytes.count {
        case 4: family = AF_INET
        case 16: family = AF_INET6
        default: return nil
        }
        var buffer = [CChar](repeating: 0, count: 64)
        let ok = bytes.withUnsafeBytes { inet_ntop(family, $0.baseAddress, &buffer, socklen_t(buffer.count)) }
        return ok == nil ? nil : String(nulTerminated: buffer)
    }

    private static func keyDescription(_ key: OpaquePointer?) -> String {
        guard let key else { return "unknown" }
        switch EVP_PKEY_get_base_id(key) {
        case EVP_PKEY_EC:
            var name = [CChar](repeating: 0, count: 64)
            var length = 0
            _ = EVP_PKEY_get_utf8_string_param(key, OSSL_PKEY_PARAM_GROUP_NAME, &name, name.count, &length)
            switch String(nulTerminated: name) {
            case "prime256v1": return "ECDSA P-256"
            case "secp384r1": return "ECDSA P-384"
            case "secp521r1": return "ECDSA P-521"
            case let other: return "ECDSA \(other)"
            }
        case EVP_PKEY_RSA: return "RSA \(EVP_PKEY_get_bits(key))"
        case EVP_PKEY_ED25519: return "Ed25519"
        default: return "unknown"
        }
    }
}
