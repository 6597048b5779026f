import Foundation

/// A public JSON Web Key, kept in its RFC 7638 canonical form: the required members only,
/// in lexicographic order, without white space.
public struct JWK: Sendable, Equatable {
    public let canonicalJSON: String

    public init(canonicalJSON: String) {
        self.canonicalJSON = canonicalJSON
    }

    /// base64url(SHA-256(canonical JSON)) (RFC 7638 §3).
    public var thumbprint: String {
        Base64URL.encode(Digest.sha256(Data(canonicalJSON.utf8)))
    }
}
