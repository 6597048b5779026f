internal import COpenSSL

/// A cryptographic operation that failed, with OpenSSL's reason when it gave one. Never
/// carries key material.
public struct CryptoError: Error, CustomStringConvertible, Sendable {
    public var message: String

    public init(_ message: String) {
        self.message = message
    }

    public var description: String { message }

    /// `what` followed by the reasons on OpenSSL's error queue, which it empties.
    static func openSSL(_ what: String) -> CryptoError {
        var reasons: [String] = []
        while case let code = ERR_get_error(), code != 0 {
            var buffer = [CChar](repeating: 0, count: 256)
            ERR_error_string_n(code, &buffer, buffer.count)
            let text = String(nulTerminated: buffer)
            // "error:0480006C:PEM routines::no start line" → "PEM routines: no start line"
            let parts = text.split(separator: ":", omittingEmptySubsequences: true)
            reasons.append(parts.count >= 3 ? parts.dropFirst(2).joined(separator: ": ") : text)
        }
        return CryptoError(reasons.isEmpty ? what : "\(what): \(reasons.joined(separator: "; "))")
    }

    /// Empties OpenSSL's error queue (after an expected failure, e.g. probing).
    static func clearOpenSSLErrors() {
        ERR_clear_error()
    }
}
