public import Foundation

/// An ACME operation that did not succeed, with what the CA said.
public struct ACMEError: Error, CustomStringConvertible, Sendable {
    public enum Kind: Sendable, Equatable {
        /// The CA answered with a problem document (RFC 8555 §6.7).
        case problem
        /// The CA could not be reached, or answered with something that is not ACME.
        case transport
        /// The CA's answer did not parse or broke the protocol.
        case protocolViolation
        /// An authorization or order became invalid.
        case validationFailed
        /// Polling gave up waiting for a state.
        case timeout
        /// Bad input from the caller (unknown server name, no identifiers, …).
        case invalidInput
    }

    public var kind: Kind
    public var message: String
    /// The problem document, when the CA sent one.
    public var problem: Problem?
    /// The HTTP status of the answer that carried the problem.
    public var status: Int?
    /// When the CA asked to be left alone until (`Retry-After` on `rateLimited`, 503, …).
    public var retryAfter: Date?

    public init(kind: Kind, message: String, problem: Problem? = nil, status: Int? = nil, retryAfter: Date? = nil) {
        self.kind = kind
        self.message = message
        self.problem = problem
        self.status = status
        self.retryAfter = retryAfter
    }

    /// The short name of the problem type, e.g. "badNonce" for
    /// `urn:ietf:params:acme:error:badNonce`.
    public var problemType: String? { problem?.shortType }

    public var description: String {
        var text = message
        if let problem {
            text += ": " + problem.summary
            if let hint = problem.hint { text += " (\(hint))" }
        }
        if let retryAfter {
            text += "; the CA asks to retry after \(RFC3339.string(retryAfter))"
        }
        return text
    }

    /// An RFC 7807 / RFC 8555 problem document.
    public struct Problem: Sendable, Codable, Equatable {
        public var type: String?
        public var detail: String?
        public var status: Int?
        public var instance: String?
        public var identifier: ACMEIdentifier?
        public var subproblems: [Problem]?

        public var shortType: String? {
            guard let type else { return nil }
            let prefix = "urn:ietf:params:acme:error:"
            return type.hasPrefix(prefix) ? String(type.dropFirst(prefix.count)) : type
        }

        /// "type: detail", followed by each subproblem with its identifier.
        public var summary: String {
            var text = [shortType, detail].compactMap { $0 }.joined(separator: ": ")
            if text.isEmpty { text = "unspecified problem" }
            for sub in subproblems ?? [] {
                let who = sub.identifier.map { "\($0.value): " } ?? ""
                text += "; \(who)\(sub.summary)"
            }
            return text
        }

        /// What a user can do about the common problem types.
        var hint: String? {
            switch shortType {
            case "accountDoesNotExist": return "no account exists for this key; register one first"
            case "externalAccountRequired": return "this CA requires external account binding: pass --eab-kid and --eab-hmac-file"
            case "rateLimited": return "the CA's rate limit was hit; wait before trying again"
            case "unauthorized": return "the CA refused this account or the proof of control"
            case "dns": return "the CA could not look up the DNS records it needed"
            case "incorrectResponse": return "the challenge record the CA saw did not match"
            case "rejectedIdentifier": return "the CA will not issue for this name"
            case "caa": return "a CAA record forbids this CA from issuing for the name"
            case "userActionRequired": return "visit the CA's instance URL to act on the account"
            default: return nil
            }
        }
    }
}
