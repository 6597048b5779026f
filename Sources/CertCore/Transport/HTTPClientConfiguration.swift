public import Foundation

/// How an `HTTPClient` connects: trust, client identity, proxy and timeouts. Everything is
/// given as data in memory, the way a kubeconfig supplies it.
public struct HTTPClientConfiguration: Sendable {
    /// Which certificate authorities the client trusts for HTTPS servers.
    public enum Trust: Sendable, Equatable {
        /// The system's CA bundle.
        case system
        /// Only these CAs (PEM, one or more certificates), as a kubeconfig's
        /// `certificate-authority-data` means.
        case only(pem: Data)
        /// The system's CA bundle plus these (e.g. `--acme-ca-bundle` for a private ACME CA).
        case systemAnd(pem: Data)
    }

    /// A client certificate and its private key, both PEM.
    public struct ClientIdentity: Sendable, Hashable, CustomStringConvertible {
        public var certificatePEM: Data
        public var privateKeyPEM: Data

        public init(certificatePEM: Data, privateKeyPEM: Data) {
            self.certificatePEM = certificatePEM
            self.privateKeyPEM = privateKeyPEM
        }

        public var description: String { "ClientIdentity(certificate: \(certificatePEM.count) bytes, key: redacted)" }
    }

    public var trust: Trust
    public var clientIdentity: ClientIdentity?
    /// Skip verifying the server's certificate (kubeconfig `insecure-skip-tls-verify`).
    public var insecureSkipVerify: Bool
    /// The name to send as SNI and to verify the server certificate against, when it differs
    /// from the URL's host (kubeconfig `tls-server-name`).
    public var serverName: String?
    /// An HTTP or HTTPS proxy URL (kubeconfig `proxy-url`); nil uses the environment's
    /// `https_proxy`/`http_proxy`/`no_proxy` as curl reads them.
    public var proxy: String?
    public var connectTimeout: Duration
    /// The longest a whole request may take; nil means no limit.
    public var timeout: Duration?
    /// At most this many connections to one host; further requests wait for a free one, or
    /// share one when HTTP/2 multiplexes.
    public var maxConnectionsPerHost: Int
    public var userAgent: String

    public init(
        trust: Trust = .system,
        clientIdentity: ClientIdentity? = nil,
        insecureSkipVerify: Bool = false,
        serverName: String? = nil,
        proxy: String? = nil,
        connectTimeout: Duration = .seconds(10),
        timeout: Duration? = .seconds(60),
        maxConnectionsPerHost: Int = 6,
        userAgent: String = "kubectl-certs"
    ) {
        self.trust = trust
        self.clientIdentity = clientIdentity
        self.insecureSkipVerify = insecureSkipVerify
        self.serverName = serverName
        self.proxy = proxy
        self.connectTimeout = connectTimeout
        self.timeout = timeout
        self.maxConnectionsPerHost = maxConnectionsPerHost
        self.userAgent = userAgent
    }
}
