internal import COpenSSL

/// Whether an encoded point lies on a NIST curve, by OpenSSL's EC arithmetic (which needs no
/// key decoder): the check OpenSSL makes when it reads an EC public key, so that a point read
/// from DER here is taken exactly when OpenSSL would take it.
enum ECPointCheck {
    /// One EC_GROUP per curve, made on first use and kept for the life of the process.
    ///
    /// `@unchecked Sendable`: a group is never changed after creation, and OpenSSL allows
    /// reading points against one group from many threads.
    private final class Group: @unchecked Sendable {
        let pointer: OpaquePointer?

        init(nid: Int32) {
            pointer = EC_GROUP_new_by_curve_name(nid)
        }
    }

    private static let groups: [String: Group] = [
        "P-256": Group(nid: NID_X9_62_prime256v1),
        "P-384": Group(nid: NID_secp384r1),
        "P-521": Group(nid: NID_secp521r1),
    ]

    /// `point`: 0x04‖x‖y, or 0x02/0x03‖x; `curve`: "P-256", "P-384" or "P-521".
    static func isOnCurve(_ point: ArraySlice<UInt8>, curve: String) -> Bool {
        guard let group = groups[curve]?.pointer, let decoded = EC_POINT_new(group) else { return false }
        defer { EC_POINT_free(decoded) }
        let ok = point.withUnsafeBufferPointer { EC_POINT_oct2point(group, decoded, $0.baseAddress, $0.count, nil) } == 1
        if !ok { CryptoError.clearOpenSSLErrors() }
        return ok
    }
}
