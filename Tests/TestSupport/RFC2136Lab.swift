public import DNS01

/// The lab's RFC 2136 settings for one zone and one TSIG key.
public struct RFC2136Lab: Sendable {
    public var primary: String
    public var secondary: String
    public var port: String

    public init() throws {
        primary = try Lab.require("LAB_DNS_PRIMARY", component: "dns")
        secondary = try Lab.require("LAB_DNS_SECONDARY", component: "dns")
        port = try Lab.require("LAB_DNS_PORT", component: "dns")
    }

    public var nameservers: [DNSServer] {
        [DNSServer(host: primary, port: Int(port) ?? 53), DNSServer(host: secondary, port: Int(port) ?? 53)]
    }

    /// lego-style environment for the zone's primary with the key named by `keyVariable`.
    public func environment(primary server: String, keyVariable: String = "LAB_TSIG_KEY", secretVariable: String = "LAB_TSIG_SECRET", algorithm: String = "hmac-sha256") throws -> [String: String] {
        [
            "RFC2136_NAMESERVER": "\(server):\(port)",
            "RFC2136_TSIG_KEY": try Lab.require(keyVariable, component: "dns"),
            "RFC2136_TSIG_SECRET": try Lab.require(secretVariable, component: "dns"),
            "RFC2136_TSIG_ALGORITHM": algorithm,
        ]
    }
}
