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
        guard text.hasPrefix("https://") || text.hasPrefix("http://127.") || text.hasPrefix("http://localhost") else {
            let names = Self.wellKnown.map(\.name).joined(separator: ", ")
            throw ACMEError(kind: .invalidInput, message: "unknown ACME server \"\(text)\": give one of \(names), or a directory URL starting with https://")
        }
        self = .custom(url: text)
    }

    public var directoryURL: String {
        switch self {
        case .named(_, let url), .custom(let url): return url
        }
    }
}
