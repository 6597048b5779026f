/// The private key kinds kubectl-certs makes and reads.
public enum KeyType: String, Sendable, CaseIterable, Codable {
    case ec256, ec384, rsa2048, rsa3072, rsa4096

    /// The JWS algorithm a key of this kind signs with.
    public var jwsAlgorithm: String {
        switch self {
        case .ec256: return "ES256"
        case .ec384: return "ES384"
        case .rsa2048, .rsa3072, .rsa4096: return "RS256"
        }
    }

    var isEC: Bool { self == .ec256 || self == .ec384 }

    var rsaBits: Int32 {
        switch self {
        case .rsa2048: return 2048
        case .rsa3072: return 3072
        case .rsa4096: return 4096
        case .ec256, .ec384: return 0
        }
    }

    /// The OpenSSL group name of an EC key.
    var curve: String? {
        switch self {
        case .ec256: return "P-256"
        case .ec384: return "P-384"
        default: return nil
        }
    }
}

/// How `PrivateKey.pem(encoding:)` writes a key.
public enum PrivateKeyEncoding: Sendable {
    /// PKCS#1 for RSA, SEC1 for EC: what cert-manager writes by default.
    case traditional
    case pkcs8
}
