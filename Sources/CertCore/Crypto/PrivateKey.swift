public import Foundation
internal import COpenSSL

/// An ECDSA (P-256, P-384) or RSA (2048, 3072, 4096) private key held by OpenSSL.
///
/// `@unchecked Sendable`: the wrapped EVP_PKEY is never changed after creation, and OpenSSL 3
/// allows concurrent signing and reading with one key.
public final class PrivateKey: @unchecked Sendable, CustomStringConvertible {
    let pointer: OpaquePointer
    public let type: KeyType

    private init(taking pointer: OpaquePointer) throws(CryptoError) {
        self.pointer = pointer
        guard let type = Self.keyType(of: pointer) else {
            EVP_PKEY_free(pointer)
            throw CryptoError("unsupported key: kubectl-certs uses ECDSA P-256/P-384 and RSA 2048/3072/4096 keys")
        }
        self.type = type
    }

    deinit {
        EVP_PKEY_free(pointer)
    }

    public static func generate(_ type: KeyType) throws(CryptoError) -> PrivateKey {
        guard let context = EVP_PKEY_CTX_new_from_name(nil, type.isEC ? "EC" : "RSA", nil) else {
            throw CryptoError.openSSL("cannot make a \(type.rawValue) key")
        }
        defer { EVP_PKEY_CTX_free(context) }
        guard EVP_PKEY_keygen_init(context) == 1 else { throw CryptoError.openSSL("cannot make a \(type.rawValue) key") }
        if let curve = type.curve {
            guard EVP_PKEY_CTX_set_group_name(context, curve) == 1 else { throw CryptoError.openSSL("cannot use curve \(curve)") }
        } else {
            guard EVP_PKEY_CTX_set_rsa_keygen_bits(context, type.rsaBits) == 1 else { throw CryptoError.openSSL("cannot use RSA \(type.rsaBits)") }
        }
        var key: OpaquePointer?
        guard EVP_PKEY_generate(context, &key) == 1, let key else { throw CryptoError.openSSL("generating a \(type.rawValue) key failed") }
        return try PrivateKey(taking: key)
    }

    /// Reads an unencrypted private key in PEM: PKCS#8, SEC1 (EC) or PKCS#1 (RSA), of a kind
    /// kubectl-certs signs with (see `KeyType`).
    public convenience init(pem: String) throws(CryptoError) {
        guard let key = Self.decode(pem: pem) else {
            throw CryptoError("the text is not an unencrypted PEM private key (PKCS#8, SEC1 or PKCS#1)")
        }
        try self.init(taking: key)
    }

    /// The DER SubjectPublicKeyInfo of any unencrypted PEM private key OpenSSL reads — also of
    /// kinds kubectl-certs does not make (P-521, Ed25519, RSA 8192, ...) — to check that a
    /// key belongs to a certificate. The common forms are read from their DER without
    /// OpenSSL's decoder search (`PrivateKeyDER`), which dominates the cost of `status -A`.
    public static func publicKeyInfo(pem: String) throws(CryptoError) -> Data {
        if let block = firstBlock(pem: pem), let info = PrivateKeyDER.subjectPublicKeyInfo(label: block.label, der: block.der) {
            return info
        }
        return try decodedPublicKeyInfo(pem: pem)
    }

    /// The same as `publicKeyInfo(pem:)`, always through OpenSSL's decoder.
    static func decodedPublicKeyInfo(pem: String) throws(CryptoError) -> Data {
        guard let key = decode(pem: pem) else {
            throw CryptoError("the text is not an unencrypted PEM private key (PKCS#8, SEC1 or PKCS#1)")
        }
        defer { EVP_PKEY_free(key) }
        return subjectPublicKeyInfo(key)
    }

    /// The PEM forms of private keys read, in the order they are looked for, with what tells
    /// OpenSSL's decoder the exact structure and key type: that spares it trying every decoder
    /// it has, which dominates the cost of reading many keys (status -A).
    private static let forms: [(label: String, structure: String, keyType: String?)] = [
        ("EC PRIVATE KEY", "type-specific", "EC"),
        ("RSA PRIVATE KEY", "type-specific", "RSA"),
        ("PRIVATE KEY", "PrivateKeyInfo", nil),
    ]

    /// The first block of the first form `pem` holds: the one `decode(pem:)` tries first.
    private static func firstBlock(pem: String) -> (label: String, der: Data)? {
        for form in forms {
            if let der = PEM.decode(pem, label: form.label)?.first { return (form.label, der) }
        }
        return nil
    }

    /// The key in `pem`, of any kind, owned by the caller; nil when there is none.
    private static func decode(pem: String) -> OpaquePointer? {
        for form in forms {
            guard let der = PEM.decode(pem, label: form.label)?.first else { continue }
            // OpenSSL 3.0's decoder fetch can fail now and then when threads build decoders at
            // once (seen as a sound key refused under a loaded test run): a failure is tried
            // again before it counts.
            for _ in 0..<3 {
                if let key = decode(der: der, structure: form.structure, keyType: form.keyType) { return key }
            }
        }
        CryptoError.clearOpenSSLErrors()
        return nil
    }

    private static func decode(der: Data, structure: String, keyType: String?) -> OpaquePointer? {
        var key: OpaquePointer?
        guard let context = OSSL_DECODER_CTX_new_for_pkey(&key, "DER", structure, keyType, COpenSSL_EVP_PKEY_KEYPAIR(), nil, nil) else { return nil }
        defer { OSSL_DECODER_CTX_free(context) }
        let decoded = der.withUnsafeBytes { bytes -> Int32 in
            var cursor = bytes.baseAddress?.assumingMemoryBound(to: UInt8.self)
            var length = bytes.count
            return OSSL_DECODER_from_data(context, &cursor, &length)
        }
        guard decoded == 1, let key else {
            if let key { EVP_PKEY_free(key) }
            return nil
        }
        return key
    }

    public func pem(encoding: PrivateKeyEncoding = .traditional) throws(CryptoError) -> String {
        let bio = try MemoryBIO()
        let written: Int32
        switch encoding {
        case .traditional: written = PEM_write_bio_PrivateKey_traditional(bio.pointer, pointer, nil, nil, 0, nil, nil)
        case .pkcs8: written = PEM_write_bio_PKCS8PrivateKey(bio.pointer, pointer, nil, nil, 0, nil, nil)
        }
        guard written == 1 else { throw CryptoError.openSSL("cannot write the key as PEM") }
        return bio.string
    }

    public var jwsAlgorithm: String { type.jwsAlgorithm }

    /// The public half as DER SubjectPublicKeyInfo.
    var publicKeyInfo: Data { Self.subjectPublicKeyInfo(pointer) }

    /// DER SubjectPublicKeyInfo of a key (empty when it cannot be encoded).
    static func subjectPublicKeyInfo(_ key: OpaquePointer?) -> Data {
        guard let key else { return Data() }
        var bytes: UnsafeMutablePointer<UInt8>?
        let length = i2d_PUBKEY(key, &bytes)
        guard length > 0, let bytes else { return Data() }
        defer { COpenSSL_free(bytes) }
        return Data(bytes: bytes, count: Int(length))
    }

    /// The public half as a JWK (RFC 7517/7518), members in RFC 7638 order.
    public var publicJWK: JWK {
        if let curve = type.curve {
            let width = type == .ec256 ? 32 : 48
            return JWK(canonicalJSON: #"{"crv":"\#(curve)","kty":"EC","x":"\#(Base64URL.encode(bignum("qx", width: width)))","y":"\#(Base64URL.encode(bignum("qy", width: width)))"}"#)
        }
        return JWK(canonicalJSON: #"{"e":"\#(Base64URL.encode(bignum("e")))","kty":"RSA","n":"\#(Base64URL.encode(bignum("n")))"}"#)
    }

    /// A JWS signature over `data` (RFC 7518 §3): ECDSA as fixed-width r‖s with SHA-256 or
    /// SHA-384, RSA as PKCS#1 v1.5 with SHA-256.
    public func signature(for data: Data) throws(CryptoError) -> Data {
        guard let context = EVP_MD_CTX_new() else { throw CryptoError.openSSL("out of memory") }
        defer { EVP_MD_CTX_free(context) }
        let digest = type == .ec384 ? EVP_sha384() : EVP_sha256()
        guard EVP_DigestSignInit(context, nil, digest, nil, pointer) == 1 else { throw CryptoError.openSSL("cannot sign") }
        var length = 0
        let signed: (Int32, [UInt8]) = data.withUnsafeBytes { bytes in
            guard EVP_DigestSign(context, nil, &length, bytes.baseAddress, bytes.count) == 1 else { return (0, []) }
            var output = [UInt8](repeating: 0, count: length)
            let result = EVP_DigestSign(context, &output, &length, bytes.baseAddress, bytes.count)
            return (result, Array(output.prefix(length)))
        }
        guard signed.0 == 1 else { throw CryptoError.openSSL("signing failed") }
        guard type.isEC else { return Data(signed.1) }
        return try Self.rawECDSA(der: signed.1, width: type == .ec256 ? 32 : 48)
    }

    /// Converts a DER ECDSA-Sig-Value into r‖s, each left-padded to `width` bytes.
    private static func rawECDSA(der: [UInt8], width: Int) throws(CryptoError) -> Data {
        var cursor: UnsafePointer<UInt8>? = nil
        let parsed: OpaquePointer? = der.withUnsafeBufferPointer { buffer in
            cursor = buffer.baseAddress
            return d2i_ECDSA_SIG(nil, &cursor, buffer.count)
        }
        guard let parsed else { throw CryptoError.openSSL("OpenSSL produced an unreadable ECDSA signature") }
        defer { ECDSA_SIG_free(parsed) }
        var r: OpaquePointer?
        var s: OpaquePointer?
        ECDSA_SIG_get0(parsed, &r, &s)
        var output = [UInt8](repeating: 0, count: width * 2)
        output.withUnsafeMutableBufferPointer { buffer in
            _ = BN_bn2binpad(r, buffer.baseAddress, Int32(width))
            _ = BN_bn2binpad(s, buffer.baseAddress! + width, Int32(width))
        }
        return Data(output)
    }

    private func bignum(_ name: String, width: Int? = nil) -> Data {
        var number: OpaquePointer?
        guard EVP_PKEY_get_bn_param(pointer, name, &number) == 1, let number else { return Data() }
        defer { BN_free(number) }
        let size = width ?? Int((BN_num_bits(number) + 7) / 8)
        var output = [UInt8](repeating: 0, count: size)
        _ = BN_bn2binpad(number, &output, Int32(size))
        return Data(output)
    }

    static func keyType(of key: OpaquePointer) -> KeyType? {
        switch EVP_PKEY_get_base_id(key) {
        case EVP_PKEY_EC:
            var name = [CChar](repeating: 0, count: 64)
            var length = 0
            guard EVP_PKEY_get_utf8_string_param(key, OSSL_PKEY_PARAM_GROUP_NAME, &name, name.count, &length) == 1 else { return nil }
            switch String(nulTerminated: name) {
            case "prime256v1", "P-256", "secp256r1": return .ec256
            case "secp384r1", "P-384": return .ec384
            default: return nil
            }
        case EVP_PKEY_RSA:
            switch EVP_PKEY_get_bits(key) {
            case 2048: return .rsa2048
            case 3072: return .rsa3072
            case 4096: return .rsa4096
            default: return nil
            }
        default:
            return nil
        }
    }

    public var description: String { "PrivateKey(\(type.rawValue), redacted)" }
}
