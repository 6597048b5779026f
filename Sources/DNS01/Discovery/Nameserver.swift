/// One authoritative nameserver of a zone and the addresses to ask it at.
public struct Nameserver: Hashable, Sendable, CustomStringConvertible {
    /// The NS target, absolute and lower-case (e.g. `ns1.example.test.`).
    public var name: String
    /// Addresses reachable from here (A, and AAAA when this machine has an IPv6 route).
    public var addresses: [DNSServer]
    /// Addresses found but skipped, each with the reason (e.g. no IPv6 route), for display.
    public var skipped: [SkippedAddress]

    public struct SkippedAddress: Hashable, Sendable, CustomStringConvertible {
        public var address: DNSServer
        public var reason: String
        public init(address: DNSServer, reason: String) {
            self.address = address
            self.reason = reason
        }
        public var description: String { "\(address) (\(reason))" }
    }

    public init(name: String, addresses: [DNSServer], skipped: [SkippedAddress] = []) {
        self.name = DNSName.normalized(name)
        self.addresses = addresses
        self.skipped = skipped
    }

    public var description: String {
        "\(name) [\(addresses.map(\.description).joined(separator: ", "))]"
    }
}

/// Where the challenge record for one domain must be published, and who must serve it.
public struct ChallengeTarget: Hashable, Sendable {
    /// The domain the certificate covers (e.g. `*.example.test`).
    public var domain: String
    /// `_acme-challenge.<domain>.` before CNAME following.
    public var challengeName: String
    /// The CNAME targets followed, in order; empty when there is no CNAME.
    public var cnameChain: [String]
    /// Where the TXT record goes: the end of the CNAME chain (absolute, trailing dot).
    public var fqdn: String
    /// The zone holding `fqdn` (absolute, trailing dot).
    public var zone: String
    /// The zone's authoritative nameservers.
    public var nameservers: [Nameserver]

    public init(domain: String, challengeName: String, cnameChain: [String], fqdn: String, zone: String, nameservers: [Nameserver]) {
        self.domain = domain
        self.challengeName = challengeName
        self.cnameChain = cnameChain
        self.fqdn = fqdn
        self.zone = zone
        self.nameservers = nameservers
    }
}
