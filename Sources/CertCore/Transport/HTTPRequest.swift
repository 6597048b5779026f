public import Foundation

/// One HTTP request: method, absolute URL, headers and an optional body.
public struct HTTPRequest: Sendable {
    public var method: String
    public var url: String
    public var headers: HTTPHeaders
    public var body: Data?
    /// Overrides the client's total timeout for this request.
    public var timeout: Duration?
    /// Connects to this IP address instead of resolving the URL's host, which is still what
    /// the Host header and TLS name say (as a client that resolved the name elsewhere).
    public var connectAddress: String?

    public init(method: String = "GET", url: String, headers: HTTPHeaders = [:], body: Data? = nil, timeout: Duration? = nil, connectAddress: String? = nil) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.timeout = timeout
        self.connectAddress = connectAddress
    }
}

/// What the server answered.
public struct HTTPResponse: Sendable {
    public var status: Int
    public var headers: HTTPHeaders
    public var body: Data
    /// "1.1" or "2" (or "1.0"), as negotiated.
    public var httpVersion: String
    /// The time from sending the request to having the whole response.
    public var duration: Duration

    public init(status: Int, headers: HTTPHeaders, body: Data, httpVersion: String, duration: Duration) {
        self.status = status
        self.headers = headers
        self.body = body
        self.httpVersion = httpVersion
        self.duration = duration
    }

    /// The body as UTF-8 text (invalid bytes replaced).
    public var text: String { String(decoding: body, as: UTF8.self) }
}
