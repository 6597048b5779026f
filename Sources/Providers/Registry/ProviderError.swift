/// What went wrong in a DNS provider adapter or in configuring one.
///
/// `code` is for programs (the CLI maps it to an exit status); `message` is for people: it starts
/// with the provider's code, names the zone and what the provider said, and says what to check.
/// No message ever contains a secret value.
public struct ProviderError: Error, Sendable, CustomStringConvertible {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        public var rawValue: String
        public init(_ rawValue: String) { self.rawValue = rawValue }
        public var description: String { rawValue }

        /// The provider is unknown, or its settings are missing or malformed.
        public static let configuration = Code("configuration")
        /// The provider or DNS server refused our credentials (TSIG BADSIG/BADKEY, HTTP 401/403).
        public static let credentialsRefused = Code("credentials-refused")
        /// The provider or server could not be reached, or did not answer in time.
        public static let unreachable = Code("unreachable")
        /// The provider answered, but refused or failed the change.
        public static let rejected = Code("rejected")
    }

    public var code: Code
    /// The provider's code in plugins.json, when the error belongs to one.
    public var provider: String?
    public var message: String

    /// `message` is prefixed with "`provider`: " when a provider is named.
    public init(_ code: Code, provider: String?, _ message: String) {
        self.code = code
        self.provider = provider
        self.message = provider.map { "\($0): \(message)" } ?? message
    }

    public var description: String { message }
}
