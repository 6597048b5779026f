public import DNS01
internal import CertCore

/// Settings of the RFC 2136 adapter, under lego's variable names.
public struct RFC2136Configuration: Sendable {
    /// The primary nameserver that takes the updates (`RFC2136_NAMESERVER`, HOST[:PORT]).
    public var nameserver: DNSServer
    /// The TSIG key (`RFC2136_TSIG_KEY`, `RFC2136_TSIG_SECRET`, `RFC2136_TSIG_ALGORITHM`); nil sends unsigned updates.
    public var key: TSIGKey?
    /// How long to wait for the server's answer to one update (`RFC2136_DNS_TIMEOUT`).
    public var updateTimeout: Duration

    /// How long an update may wait for its answer when RFC2136_DNS_TIMEOUT is unset.
    public static let defaultUpdateTimeout: Duration = .seconds(10)

    public init(nameserver: DNSServer, key: TSIGKey?, updateTimeout: Duration = defaultUpdateTimeout) {
        self.nameserver = nameserver
        self.key = key
        self.updateTimeout = updateTimeout
    }

    /// Reads the settings; every problem is collected in `settings` and thrown together.
    public init(settings: inout ProviderSettings) throws(ProviderError) {
        var server: DNSServer?
        if let text = settings.required("RFC2136_NAMESERVER") {
            do { server = try DNSServer(parsing: text) } catch { settings.problem("RFC2136_NAMESERVER: \(error.message)") }
        }
        let keyName = settings.optional("RFC2136_TSIG_KEY")
        let secret = settings.optional("RFC2136_TSIG_SECRET")
        let algorithm = settings.parsed("RFC2136_TSIG_ALGORITHM", expected: "one of \(TSIGAlgorithm.allCases.map(\.rawValue).joined(separator: ", "))") { TSIGAlgorithm(name: $0) } ?? .hmacSHA256
        var key: TSIGKey?
        switch (keyName, secret) {
        case let (name?, secret?):
            key = TSIGKey(name: name, algorithm: algorithm, secret: secret)
            if key?.secretIsBase64 == false { settings.problem("RFC2136_TSIG_SECRET is not base64 (the value is not shown)") }
        case (_?, nil):
            settings.missing("RFC2136_TSIG_SECRET (RFC2136_TSIG_KEY is set)")
        case (nil, _?):
            settings.missing("RFC2136_TSIG_KEY (RFC2136_TSIG_SECRET is set)")
        case (nil, nil):
            break
        }
        let updateTimeout = settings.duration("RFC2136_DNS_TIMEOUT") ?? Self.defaultUpdateTimeout
        try settings.validate()
        guard let server else { throw ProviderError(.configuration, provider: RFC2136Provider.code, "RFC2136_NAMESERVER is not usable") }
        self.init(nameserver: server, key: key, updateTimeout: updateTimeout)
    }
}
