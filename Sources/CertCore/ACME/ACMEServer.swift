import Foundation

/// Where an ACME directory lives: one of the well-known CAs by name, or any directory URL.
public enum ACMEServer: Sendable, Equatable {
    case named(String, url: String)
    case custom(url: String)

    /// The CAs users may name instead of writing a URL.
    public static let wellKnown: [(name: String, url: String)] = [
        ("letsencrypt", "https://acme-v02.api.letsencrypt.org/directory"),
        ("letsencrypt-staging", "https://acme-staging-v02.api.letsencrypt.org/directory"),
        ("zerossl", "https://acme.zerossl.com/v2/DV90"),
        ("google", "https://dv.acme-v02.api.pki.goog/directory"),
        ("buypass", "https://api.buypass.com/acme/directory"),
    ]

    /// A well-known name or an https URL (http only for loopback test servers).
    public init(_ text: String) throws(ACMEError) {
        if let known = Self.wellKnown.first(where: { $0.name == text.lowercased() }) {
            self = .named(known.name, url: known.url)
            return
        }
        guard let url = URLComponents(string: text), let host = url.host, !host.isEmpty,
              url.scheme?.lowercased() == "https" || (url.scheme?.lowercased() == "http" && Self.isLoopback(host: host)) else {
            let names = Self.wellKnown.map(\.name).joined(separator: ", ")
            throw ACMEError(kind: .invalidInput, message: "unknown ACME server \"\(text)\": give one of \(names), or a directory URL starting with https:// (http:// only for a server on this machine: localhost, 127.x.x.x or [::1])")
        }
        self = .custom(url: text)
    }

    /// Whether a URL's host is this machine: `localhost`, an address in 127.0.0.0/8, or ::1.
    static func isLoopback(host: String) -> Bool {
        let host = host.lowercased()
        if host == "localhost" || host == "::1" || host == "[::1]" { return true }
        let parts = host.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4, parts[0] == "127" else { return false }
        return parts.allSatisfy { part in part.count <= 3 && part.allSatisfy(\.isASCII) && UInt8(part) != nil }
    }

    public var directoryURL: String {
        switch self {
        case .named(_, let url), .custom(let url): return url
        }
    }
}
