internal import Foundation

/// A TSIG HMAC algorithm (RFC 8945).
public enum TSIGAlgorithm: String, Sendable, CaseIterable, CustomStringConvertible {
    case hmacMD5 = "hmac-md5"
    case hmacSHA1 = "hmac-sha1"
    case hmacSHA224 = "hmac-sha224"
    case hmacSHA256 = "hmac-sha256"
    case hmacSHA384 = "hmac-sha384"
    case hmacSHA512 = "hmac-sha512"

    /// Accepts the names people write: `hmac-sha256`, `HMAC-SHA256`, `hmac-sha256.`,
    /// `hmac-md5.sig-alg.reg.int.`.
    public init?(name: String) {
        var name = name.lowercased()
        while name.hasSuffix(".") { name.removeLast() }
        if name == "hmac-md5.sig-alg.reg.int" { name = "hmac-md5" }
        self.init(rawValue: name)
    }

    /// The algorithm's domain name as libldns expects it (with the trailing dot).
    var ldnsName: String {
        self == .hmacMD5 ? "hmac-md5.sig-alg.reg.int." : rawValue + "."
    }

    public var description: String { rawValue }
}

/// A TSIG key: its name, algorithm and base64 secret. The secret is never printed: the
/// description, debug description and mirror show only the name and the algorithm.
public struct TSIGKey: Sendable, Hashable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    public var name: String
    public var algorithm: TSIGAlgorithm
    private var secret: String

    /// `secret` is the base64 text of the key, as in BIND's `secret "..."`.
    public init(name: String, algorithm: TSIGAlgorithm, secret: String) {
        self.name = name
        self.algorithm = algorithm
        self.secret = secret.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Whether the secret is well-formed base64 (it is never shown).
    public var secretIsBase64: Bool {
        !secret.isEmpty && Data(base64Encoded: secret) != nil
    }

    func withSecret<T>(_ body: (String) throws -> T) rethrows -> T { try body(secret) }

    public var description: String { "TSIG key \(name) (\(algorithm))" }
    public var debugDescription: String { description }
    public var customMirror: Mirror { Mirror(self, children: ["name": name, "algorithm": algorithm], displayStyle: .struct) }
}
