import Foundation

/// One certificate in use, as `status` reports it: the Ingress TLS entry, cert-manager
/// Certificate or lone TLS Secret it belongs to, and what its Secret holds. The JSON and YAML
/// output is a list of these (see the README for the schema).
struct StatusRow: Codable, Sendable, Equatable {
    var namespace: String
    /// `ingress/NAME`, `certificate/NAME` or `secret/NAME`.
    var name: String
    /// The hosts that rely on the certificate (an Ingress TLS entry's hosts, a Certificate's
    /// names); empty for a Secret nothing uses.
    var hosts: [String]
    var secret: String
    var state: HealthState
    /// Why the state is not Valid, in words.
    var reason: String?
    var issuer: String?
    var dnsNames: [String]
    var notBefore: Date?
    var notAfter: Date?
    var serial: String?
    var key: String?
    /// cert-manager, kubectl-certs or none.
    var manager: String
    /// When it should be renewed: cert-manager's renewalTime, else two thirds into its life.
    var renewalTime: Date?
    var uncoveredHosts: [String]
    /// The chain as stored, leaf first (shown for `status TARGET`).
    var chain: [ChainEntry]
    /// cert-manager's conditions, for Certificates.
    var conditions: [Condition]

    struct ChainEntry: Codable, Sendable, Equatable {
        var subject: String
        var issuer: String
        var notAfter: Date
    }

    struct Condition: Codable, Sendable, Equatable {
        var type: String
        var status: String
        var reason: String?
        var message: String?
    }
}

/// What `status` found: the rows, and notes on what it could not see.
struct StatusReport: Codable, Sendable {
    var apiVersion = "kubectl-certs.io/v1"
    var kind = "CertificateStatusList"
    var items: [StatusRow]
    /// E.g. namespaces or kinds the user may not read.
    var notes: [String]
}
