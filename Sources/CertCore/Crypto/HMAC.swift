public import Foundation

/// Keyed message authentication codes, for request signatures outside CertCore (AWS Signature
/// Version 4 derives its signing key and signs with HMAC-SHA256).
public enum HMAC {
    /// HMAC-SHA256 of `data` under `key` (32 bytes).
    public static func sha256(key: Data, data: Data) throws(CryptoError) -> Data {
        try Digest.hmacSHA256(key: key, data: data)
    }
}
