internal import CCurl

/// A request that got no HTTP response. (A response with any status, 4xx and 5xx included,
/// is not an error at this level.)
public struct HTTPError: Error, CustomStringConvertible, Sendable, Equatable {
    public enum Kind: String, Sendable {
        /// The host name did not resolve.
        case nameResolution
        /// No TCP connection could be made (refused, unreachable).
        case connect
        /// The server's certificate was not trusted or did not match the name.
        case tlsVerification
        /// The TLS handshake failed otherwise, e.g. the server demanded a client
        /// certificate, or the client's own certificate or key could not be used.
        case tlsHandshake
        /// The connection or the whole request took longer than allowed.
        case timeout
        /// The proxy could not be used.
        case proxy
        /// The connection broke before a whole response arrived.
        case connectionLost
        /// The request was malformed (bad URL, unsupported scheme).
        case invalidRequest
        /// The task waiting for the response was cancelled.
        case cancelled
        case other
    }

    public var kind: Kind
    public var method: String
    public var url: String
    /// What went wrong, in curl's and OpenSSL's words.
    public var reason: String

    public init(kind: Kind, method: String, url: String, reason: String) {
        self.kind = kind
        self.method = method
        self.url = url
        self.reason = reason
    }

    public var description: String {
        let what: String
        switch kind {
        case .nameResolution: what = "could not resolve the host name"
        case .connect: what = "could not connect"
        case .tlsVerification: what = "the server's TLS certificate was not accepted"
        case .tlsHandshake: what = "the TLS handshake failed"
        case .timeout: what = "timed out"
        case .proxy: what = "the proxy failed"
        case .connectionLost: what = "the connection broke"
        case .invalidRequest: what = "invalid request"
        case .cancelled: what = "cancelled"
        case .other: what = "request failed"
        }
        return "\(method) \(url): \(what): \(reason)"
    }
}

extension HTTPError.Kind {
    /// Classifies a libcurl result code; `detail` (curl's error buffer) refines a few.
    init(curlCode code: CURLcode, detail: String) {
        switch code {
        case CURLE_COULDNT_RESOLVE_HOST:
            self = .nameResolution
        case CURLE_COULDNT_CONNECT:
            self = .connect
        case CURLE_OPERATION_TIMEDOUT:
            self = .timeout
        case CURLE_PEER_FAILED_VERIFICATION, CURLE_SSL_CACERT_BADFILE, CURLE_SSL_ISSUER_ERROR,
             CURLE_SSL_PINNEDPUBKEYNOTMATCH:
            self = .tlsVerification
        case CURLE_SSL_CONNECT_ERROR, CURLE_SSL_CERTPROBLEM, CURLE_SSL_CIPHER, CURLE_SSL_ENGINE_NOTFOUND,
             CURLE_SSL_ENGINE_SETFAILED, CURLE_USE_SSL_FAILED, CURLE_SSL_CRL_BADFILE:
            self = .tlsHandshake
        case CURLE_COULDNT_RESOLVE_PROXY, CURLE_PROXY:
            self = .proxy
        case CURLE_RECV_ERROR, CURLE_SEND_ERROR, CURLE_GOT_NOTHING, CURLE_PARTIAL_FILE, CURLE_HTTP2,
             CURLE_HTTP2_STREAM:
            // With TLS 1.3 a server that refuses the client certificate says so in an alert that
            // arrives on the first read, after the handshake looked complete.
            let lowered = detail.lowercased()
            self = lowered.contains("alert") || lowered.contains("certificate") ? .tlsHandshake : .connectionLost
        case CURLE_URL_MALFORMAT, CURLE_UNSUPPORTED_PROTOCOL, CURLE_BAD_FUNCTION_ARGUMENT:
            self = .invalidRequest
        case CURLE_ABORTED_BY_CALLBACK:
            self = .cancelled
        default:
            self = .other
        }
    }
}

/// The text libcurl gives for a result code.
func curlDescription(_ code: CURLcode) -> String {
    String(cString: curl_easy_strerror(code))
}
