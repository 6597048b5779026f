/// What went wrong in DNS01: a query, an update, discovery or the propagation check.
///
/// `code` is for programs (compare it, switch on it); `message` is for people and says what
/// to check. No message ever contains a TSIG secret.
public struct DNSError: Error, Sendable, CustomStringConvertible, Equatable {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        public var rawValue: String
        public init(_ rawValue: String) { self.rawValue = rawValue }
        public var description: String { rawValue }

        /// The input (a name, an address, a setting) could not be used.
        public static let invalidInput = Code("invalid-input")
        /// No answer arrived within the per-query timeout.
        public static let timeout = Code("timeout")
        /// A socket could not be opened, connected or written to.
        public static let network = Code("network")
        /// An answer arrived but could not be parsed.
        public static let malformedResponse = Code("malformed-response")
        /// A server answered with an error rcode where an answer was needed.
        public static let serverError = Code("server-error")
        /// A TSIG-signed exchange failed (BADSIG, BADKEY, BADTIME, or a reply whose signature does not verify).
        public static let tsig = Code("tsig")
        /// The server refused (REFUSED, NOTAUTH) the request.
        public static let refused = Code("refused")
        /// No zone, nameserver or address could be found for a name.
        public static let notFound = Code("not-found")
        /// A CNAME chain loops or is too long.
        public static let cnameLoop = Code("cname-loop")
        /// The library itself failed (memory, an unexpected status).
        public static let library = Code("library")
    }

    public var code: Code
    public var message: String
    /// The response code of the server's answer, when the error comes from one.
    public var responseCode: DNSResponseCode?
    /// The TSIG error field of the server's answer (16 BADSIG, 17 BADKEY, 18 BADTIME), when present.
    public var tsigError: Int?

    public init(_ code: Code, _ message: String, responseCode: DNSResponseCode? = nil, tsigError: Int? = nil) {
        self.code = code
        self.message = message
        self.responseCode = responseCode
        self.tsigError = tsigError
    }

    public var description: String { message }
}
