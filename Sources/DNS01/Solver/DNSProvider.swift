/// One TXT value at one name: what a DNS provider adapter publishes and later removes.
public struct ChallengeRecord: Sendable, Hashable, CustomStringConvertible {
    /// The `_acme-challenge` name after CNAME following, absolute with a trailing dot.
    public var fqdn: String
    /// The zone that holds `fqdn`, absolute with a trailing dot.
    public var zone: String
    /// The TXT value (base64url of the key authorization's SHA-256).
    public var value: String
    /// TTL in seconds.
    public var ttl: Int
    /// The name the CA validates with this value (`example.com`, `*.example.com`), for
    /// providers whose protocol passes it on (cert-manager webhooks, lego's RAW hooks); nil
    /// when not known (a record left by an interrupted run).
    public var domain: String?
    /// The ACME challenge's token and key authorization, for providers whose protocol passes
    /// them on (lego's RAW hooks); nil when not known.
    public var acme: ACMEChallengeText?

    public init(fqdn: String, zone: String, value: String, ttl: Int, domain: String? = nil, acme: ACMEChallengeText? = nil) {
        self.fqdn = DNSName.normalized(fqdn)
        self.zone = DNSName.normalized(zone)
        self.value = value
        self.ttl = ttl
        self.domain = domain
        self.acme = acme
    }

    public var description: String { "TXT \(fqdn) \"\(value)\" (zone \(zone))" }
}

/// A DNS provider adapter. `present` appends one TXT value at one name and never replaces
/// the values already there; `cleanUp` deletes exactly that value. Both are safe to call
/// concurrently, for the same name too.
public protocol DNSProvider: Sendable {
    /// The provider's code in plugins.json (e.g. "rfc2136").
    var code: String { get }
    func present(_ record: ChallengeRecord) async throws
    func cleanUp(_ record: ChallengeRecord) async throws
}
