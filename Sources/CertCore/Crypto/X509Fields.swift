import Foundation
internal import COpenSSL

/// Single fields of a certificate, each decoded from its own DER by OpenSSL's decoder for that
/// field alone (`d2i_X509_NAME`, `d2i_ASN1_TIME`, ...). Unlike `d2i_X509`, none of these
/// decodes the public key, which in OpenSSL 3.0 searches every provider's decoders under locks.
/// Each returns nil where OpenSSL refuses the bytes.
enum X509Fields {
    struct AlternativeNames {
        var dns: [String] = []
        var ip: [String] = []
        var uri: [String] = []
        var email: [String] = []
    }

    /// A Name as RFC 2253 text, and its first common name.
    static func name(_ der: ArraySlice<UInt8>) -> (text: String, commonName: String?)? {
        guard let name = decode(der, { d2i_X509_NAME(nil, $0, $1) }) else { return nil }
        defer { X509_NAME_free(name) }
        return (X509Handle.name(name), X509Handle.commonName(name))
    }

    /// A UTCTime or GeneralizedTime; `Date.distantPast` when it decodes but names no valid time.
    static func time(_ der: ArraySlice<UInt8>) -> Date? {
        guard let time = decode(der, { d2i_ASN1_TIME(nil, $0, $1) }) else { return nil }
        defer { ASN1_TIME_free(time) }
        return X509Handle.date(time)
    }

    /// An INTEGER in lower-case hex, no separators ("-" first when negative).
    static func serialNumber(_ der: ArraySlice<UInt8>) -> String? {
        guard let integer = decode(der, { d2i_ASN1_INTEGER(nil, $0, $1) }) else { return nil }
        defer { ASN1_INTEGER_free(integer) }
        guard let number = ASN1_INTEGER_to_BN(integer, nil) else { return nil }
        defer { BN_free(number) }
        guard let hex = BN_bn2hex(number) else { return nil }
        defer { COpenSSL_free(hex) }
        return String(cString: hex).lowercased()
    }

    /// OpenSSL's short name of an OBJECT IDENTIFIER ("ecdsa-with-SHA256"; "UNDEF" for one it
    /// does not know).
    static func objectShortName(_ der: ArraySlice<UInt8>) -> String? {
        guard let object = decode(der, { d2i_ASN1_OBJECT(nil, $0, $1) }) else { return nil }
        defer { ASN1_OBJECT_free(object) }
        return String(cString: OBJ_nid2sn(OBJ_obj2nid(object)))
    }

    /// The names of a subjectAltName extension's value.
    static func alternativeNames(_ der: ArraySlice<UInt8>) -> AlternativeNames? {
        guard let names = decode(der, { d2i_GENERAL_NAMES(nil, $0, $1) }) else { return nil }
        defer { GENERAL_NAMES_free(names) }
        var result = AlternativeNames()
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

    /// The bytes of an OCTET STRING (a subjectKeyIdentifier extension's value).
    static func octetString(_ der: ArraySlice<UInt8>) -> Data? {
        guard let string = decode(der, { d2i_ASN1_OCTET_STRING(nil, $0, $1) }) else { return nil }
        defer { ASN1_OCTET_STRING_free(string) }
        return X509Handle.bytes(string)
    }

    /// The keyIdentifier of an authorityKeyIdentifier extension's value, when it has one.
    static func authorityKeyIdentifier(_ der: ArraySlice<UInt8>) -> Data? {
        guard let identifier = decode(der, { d2i_AUTHORITY_KEYID(nil, $0, $1) }) else { return nil }
        defer { AUTHORITY_KEYID_free(identifier) }
        return X509Handle.bytes(identifier.pointee.keyid)
    }

    /// The cA flag of a basicConstraints extension's value.
    static func isCA(basicConstraints der: ArraySlice<UInt8>) -> Bool? {
        guard let constraints = decode(der, { d2i_BASIC_CONSTRAINTS(nil, $0, $1) }) else { return nil }
        defer { BASIC_CONSTRAINTS_free(constraints) }
        return constraints.pointee.ca != 0
    }

    /// "ECDSA <curve>", "RSA <bits>", "Ed25519" or "unknown", from OpenSSL's own decoding of
    /// the SubjectPublicKeyInfo `der` — the slow way, for keys the DER reading does not cover.
    static func keyDescription(subjectPublicKeyInfo der: ArraySlice<UInt8>) -> String {
        guard let key = decode(der, { d2i_PUBKEY(nil, $0, $1) }) else { return "unknown" }
        defer { EVP_PKEY_free(key) }
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

    /// Runs an OpenSSL `d2i_…` function over `der`.
    private static func decode<Value>(_ der: ArraySlice<UInt8>, _ d2i: (UnsafeMutablePointer<UnsafePointer<UInt8>?>, Int) -> Value?) -> Value? {
        der.withUnsafeBufferPointer { buffer -> Value? in
            var cursor: UnsafePointer<UInt8>? = buffer.baseAddress
            guard cursor != nil else { return nil }
            return d2i(&cursor, buffer.count)
        }
    }
}
