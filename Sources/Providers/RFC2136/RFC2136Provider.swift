public import DNS01
internal import Logging

/// Publishes challenge records by RFC 2136 dynamic update (TSIG-signed) to one primary
/// nameserver — BIND, Knot, PowerDNS, Windows DNS. Adding a value keeps the others; cleanup
/// deletes exactly that value.
public struct RFC2136Provider: DNSProviderAdapter {
    public static let code = "rfc2136"
    public var configuration: RFC2136Configuration

    public init(configuration: RFC2136Configuration) {
        self.configuration = configuration
    }

    public init(settings: inout ProviderSettings) throws(ProviderError) {
        self.init(configuration: try RFC2136Configuration(settings: &settings))
    }

    static let logger = Logger(label: "kubectl-certs.providers.rfc2136")

    private var client: DNSUpdateClient {
        DNSUpdateClient(server: configuration.nameserver, key: configuration.key, timeout: configuration.updateTimeout)
    }

    public func present(_ record: ChallengeRecord) async throws {
        do {
            try await client.addTXT(name: record.fqdn, value: record.value, ttl: record.ttl, zone: record.zone)
        } catch let error as DNSError {
            throw explain(error, doing: "adding", record: record)
        }
    }

    public func cleanUp(_ record: ChallengeRecord) async throws {
        do {
            try await client.deleteTXT(name: record.fqdn, value: record.value, zone: record.zone)
        } catch let error as DNSError {
            throw explain(error, doing: "deleting", record: record)
        }
    }

    /// Turns a DNS01 error into one that says which setting to check.
    func explain(_ error: DNSError, doing action: String, record: ChallengeRecord) -> ProviderError {
        let server = configuration.nameserver
        let keyName = configuration.key.map { "\"\($0.name)\"" } ?? "(no key: RFC2136_TSIG_KEY is unset)"
        let algorithm = configuration.key?.algorithm.rawValue ?? "-"
        let subject = "\(action) TXT \"\(record.value)\" at \(record.fqdn) in zone \(record.zone) via \(server)"
        let (code, hint): (ProviderError.Code, String)
        switch (error.tsigError, error.responseCode, error.code) {
        case (16, _, _):
            (code, hint) = (.credentialsRefused, "the server answered BADSIG: the signature made with key \(keyName) does not verify there, so the secret differs — check RFC2136_TSIG_SECRET (and RFC2136_TSIG_ALGORITHM, now \(algorithm))")
        case (17, _, _):
            (code, hint) = (.credentialsRefused, "the server answered BADKEY: it does not know key \(keyName) with algorithm \(algorithm) — check RFC2136_TSIG_KEY and RFC2136_TSIG_ALGORITHM")
        case (18, _, _):
            (code, hint) = (.credentialsRefused, "the server answered BADTIME: this machine's clock and the server's differ by more than 5 minutes — fix the clock")
        case (_, DNSResponseCode.notAuth?, _):
            (code, hint) = (.credentialsRefused, "the server answered NOTAUTH: it is not authoritative for zone \(record.zone), or does not accept key \(keyName) there — check RFC2136_NAMESERVER is the zone's primary and RFC2136_TSIG_KEY")
        case (_, DNSResponseCode.refused?, _):
            (code, hint) = (.rejected, "the server answered REFUSED: its update policy does not let key \(keyName) change TXT records at this name — check the server's update-policy/ACL, RFC2136_TSIG_KEY and RFC2136_NAMESERVER")
        case (_, _, .tsig):
            (code, hint) = (.credentialsRefused, "the server's reply is not signed with key \(keyName) (\(error.message)) — check RFC2136_TSIG_SECRET, RFC2136_TSIG_KEY and RFC2136_TSIG_ALGORITHM")
        case (_, _, .timeout), (_, _, .network):
            (code, hint) = (.unreachable, "\(error.message) — check RFC2136_NAMESERVER")
        default:
            (code, hint) = (.rejected, error.message)
        }
        return ProviderError(code, provider: Self.code, "\(subject): \(hint)")
    }
}
