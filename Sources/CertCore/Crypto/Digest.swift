public import Foundation
internal import COpenSSL

/// Message digests.
public enum Digest {
    public static func sha256(_ data: Data) -> Data {
        digest(data, EVP_sha256(), length: 32)
    }

    /// SHA-1, for protocols that still sign with it (OVH's API request signature).
    public static func sha1(_ data: Data) -> Data {
        digest(data, EVP_sha1(), length: 20)
    }

    static func sha384(_ data: Data) -> Data {
        digest(data, EVP_sha384(), length: 48)
    }

    private static func digest(_ data: Data, _ md: OpaquePointer?, length: Int) -> Data {
        var output = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var size: UInt32 = 0
        data.withUnsafeBytes { bytes in
            // EVP_Digest cannot fail for a built-in digest and memory input.
            _ = EVP_Digest(bytes.baseAddress, bytes.count, &output, &size, md, nil)
        }
        return Data(output.prefix(Int(size == 0 ? UInt32(length) : size)))
    }

    /// HMAC-SHA256 of `data` under `key`.
    static func hmacSHA256(key: Data, data: Data) throws(CryptoError) -> Data {
        var output = [UInt8](repeating: 0, count: 32)
        var size = 0
        let result = key.withUnsafeBytes { keyBytes in
            data.withUnsafeBytes { dataBytes in
                EVP_Q_mac(nil, "HMAC", nil, "SHA256", nil, keyBytes.baseAddress, keyBytes.count, dataBytes.baseAddress, dataBytes.count, &output, output.count, &size)
            }
        }
        guard result != nil, size == 32 else { throw CryptoError.openSSL("HMAC-SHA256 failed") }
        return Data(output)
    }
}
