/// A status string from the CA (RFC 8555 §7.1.6) read as a closed set of known values plus
/// `other`, so a value a newer CA sends is kept and shown, never refused.
public protocol ACMEStatus: RawRepresentable, Codable, Sendable, Hashable, CustomStringConvertible where RawValue == String {
    init(text: String)
}

extension ACMEStatus {
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

        public init(text: String) {
            switch text {
            case "pending": self = .pending
            case "ready": self = .ready
            case "processing": self = .processing
            case "valid": self = .valid
            case "invalid": self = .invalid
            default: self = .other(text)
            }
        }

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

        public init(text: String) {
            switch text {
            case "pending": self = .pending
            case "valid": self = .valid
            case "invalid": self = .invalid
            case "deactivated": self = .deactivated
            case "expired": self = .expired
            case "revoked": self = .revoked
            default: self = .other(text)
            }
        }

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

        public init(text: String) {
            switch text {
            case "pending": self = .pending
            case "processing": self = .processing
            case "valid": self = .valid
            case "invalid": self = .invalid
            default: self = .other(text)
            }
        }

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
