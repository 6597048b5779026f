/// A status string from the CA (RFC 8555 §7.1.6) read as a closed set of known values plus
/// `other`, so a value a newer CA sends is kept and shown, never refused.
public protocol ACMEStatus: RawRepresentable, Codable, Sendable, Hashable, CustomStringConvertible where RawValue == String {
    /// Every value but `other`.
    static var known: [Self] { get }
    /// A value this program does not know.
    static func other(_ text: String) -> Self
}

extension ACMEStatus {
    public init(text: String) {
        self = Self.known.first { $0.rawValue == text } ?? .other(text)
    }

    public init?(rawValue: String) { self.init(text: rawValue) }

    public init(from decoder: any Decoder) throws {
        self.init(text: try decoder.singleValueContainer().decode(String.self))
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }

    public var description: String { rawValue }
}

extension ACMEOrder {
    /// An order's status (RFC 8555 §7.1.6).
    public enum Status: ACMEStatus {
        case pending, ready, processing, valid, invalid
        case other(String)

        public static let known: [Self] = [.pending, .ready, .processing, .valid, .invalid]

        public var rawValue: String {
            switch self {
            case .pending: "pending"
            case .ready: "ready"
            case .processing: "processing"
            case .valid: "valid"
            case .invalid: "invalid"
            case .other(let text): text
            }
        }
    }
}

extension ACMEAuthorization {
    /// An authorization's status (RFC 8555 §7.1.6).
    public enum Status: ACMEStatus {
        case pending, valid, invalid, deactivated, expired, revoked
        case other(String)

        public static let known: [Self] = [.pending, .valid, .invalid, .deactivated, .expired, .revoked]

        public var rawValue: String {
            switch self {
            case .pending: "pending"
            case .valid: "valid"
            case .invalid: "invalid"
            case .deactivated: "deactivated"
            case .expired: "expired"
            case .revoked: "revoked"
            case .other(let text): text
            }
        }
    }
}

extension ACMEChallenge {
    /// A challenge's status (RFC 8555 §7.1.6).
    public enum Status: ACMEStatus {
        case pending, processing, valid, invalid
        case other(String)

        public static let known: [Self] = [.pending, .processing, .valid, .invalid]

        public var rawValue: String {
            switch self {
            case .pending: "pending"
            case .processing: "processing"
            case .valid: "valid"
            case .invalid: "invalid"
            case .other(let text): text
            }
        }
    }
}
