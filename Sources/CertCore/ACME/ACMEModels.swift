public import Foundation

/// An identifier in an order; kubectl-certs orders DNS names only.
public struct ACMEIdentifier: Sendable, Codable, Hashable {
    public var type: String
    public var value: String

    public init(type: String = "dns", value: String) {
        self.type = type
        self.value = value
    }

    public static func dns(_ name: String) -> ACMEIdentifier { ACMEIdentifier(type: "dns", value: name) }
}

/// The directory resource (RFC 8555 §7.1.1).
public struct ACMEDirectory: Sendable, Codable, Equatable {
    public var newNonce: String
    public var newAccount: String
    public var newOrder: String
    public var revokeCert: String
    public var keyChange: String?
    public var newAuthz: String?
    /// RFC 9773: the base URL of renewal information.
    public var renewalInfo: String?
    public var meta: Meta?

    public struct Meta: Sendable, Codable, Equatable {
        public var termsOfService: String?
        public var website: String?
        public var caaIdentities: [String]?
        public var externalAccountRequired: Bool?
    }

    public var termsOfService: String? { meta?.termsOfService }
    public var externalAccountRequired: Bool { meta?.externalAccountRequired ?? false }
}

/// An account resource (RFC 8555 §7.1.2) with the URL that names it (the JWS `kid`).
public struct ACMEAccount: Sendable, Equatable {
    public var url: String
    public var status: String
    public var contact: [String]
    public var orders: String?

    struct Body: Codable {
        var status: String?
        var contact: [String]?
        var orders: String?
    }
}

/// An order (RFC 8555 §7.1.3) with its URL.
public struct ACMEOrder: Sendable, Equatable {
    public var url: String
    public var status: Status
    public var expires: Date?
    public var identifiers: [ACMEIdentifier]
    public var authorizations: [String]
    public var finalize: String
    public var certificate: String?
    public var error: ACMEError.Problem?
    /// RFC 9773: the certificate this order replaces, as sent.
    public var replaces: String?

    struct Body: Codable {
        var status: Status
        var expires: String?
        var identifiers: [ACMEIdentifier]
        var authorizations: [String]?
        var finalize: String
        var certificate: String?
        var error: ACMEError.Problem?
        var replaces: String?
    }

    init(url: String, body: Body) {
        self.url = url
        self.status = body.status
        self.expires = body.expires.flatMap(RFC3339.parse)
        self.identifiers = body.identifiers
        self.authorizations = body.authorizations ?? []
        self.finalize = body.finalize
        self.certificate = body.certificate
        self.error = body.error
        self.replaces = body.replaces
    }
}

/// An authorization (RFC 8555 §7.1.4) with its URL.
public struct ACMEAuthorization: Sendable, Equatable {
    public var url: String
    public var status: Status
    public var identifier: ACMEIdentifier
    public var wildcard: Bool
    public var expires: Date?
    public var challenges: [ACMEChallenge]

    /// The name being proven: for a wildcard authorization, the `*.` the identifier lacks.
    public var domain: String { wildcard ? "*." + identifier.value : identifier.value }

    public func challenge(type: String) -> ACMEChallenge? {
        challenges.first { $0.type == type }
    }

    struct Body: Codable {
        var status: Status
        var identifier: ACMEIdentifier
        var wildcard: Bool?
        var expires: String?
        var challenges: [ACMEChallenge]
    }

    init(url: String, body: Body) {
        self.url = url
        self.status = body.status
        self.identifier = body.identifier
        self.wildcard = body.wildcard ?? false
        self.expires = body.expires.flatMap(RFC3339.parse)
        self.challenges = body.challenges
    }
}

/// A challenge (RFC 8555 §8).
public struct ACMEChallenge: Sendable, Codable, Equatable {
    public var type: String
    public var url: String
    public var status: Status
    public var token: String?
    public var error: ACMEError.Problem?
    public var validated: String?
}

/// Renewal information (RFC 9773 §4.2).
public struct ACMERenewalInfo: Sendable, Equatable {
    public var windowStart: Date
    public var windowEnd: Date
    public var explanationURL: String?
    /// When to ask again, from the response's `Retry-After`.
    public var retryAfter: Date?

    public init(windowStart: Date, windowEnd: Date, explanationURL: String? = nil, retryAfter: Date? = nil) {
        self.windowStart = windowStart
        self.windowEnd = windowEnd
        self.explanationURL = explanationURL
        self.retryAfter = retryAfter
    }

    /// A time chosen uniformly at random within the window, as RFC 9773 §4.2 advises.
    public func randomTimeInWindow() -> Date {
        let span = windowEnd.timeIntervalSince(windowStart)
        return windowStart.addingTimeInterval(span > 0 ? Double.random(in: 0...span) : 0)
    }

    struct Body: Codable {
        struct Window: Codable {
            var start: String
            var end: String
        }
        var suggestedWindow: Window
        var explanationURL: String?
    }
}
