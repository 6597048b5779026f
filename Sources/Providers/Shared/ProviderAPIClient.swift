public import CertCore
public import Foundation
import Logging
import Synchronization

/// A provider's HTTP API, as every HTTP adapter uses it: JSON in and out, the adapter's own
/// authentication headers (or a signing step), bounded retries when the API says to slow down
/// (429, 503 with Retry-After), and errors that name the provider, what was being done and the
/// API's own message — 401/403 as refused credentials.
///
/// Trust is the system's CA store plus `SSL_CERT_FILE` / `SSL_CERT_DIR` when set, so a
/// private endpoint or a test server works without turning verification off.
public struct ProviderAPIClient: Sendable {
    public var provider: String
    /// The API's base URL, without a trailing slash (`<PREFIX>_BASE_URL` or the provider's default).
    public var baseURL: String
    /// Sent with every request (authentication, Accept).
    public var headers: HTTPHeaders
    /// Run on each request just before it is sent (e.g. a request signature over the final
    /// URL, headers and body).
    public var sign: (@Sendable (inout HTTPRequest) async throws -> Void)?
    /// How many times a request the API asked us to retry is sent again.
    public var maxRetries: Int
    /// The longest Retry-After worth waiting for; a longer one fails the request at once.
    public var longestRetryWait: Duration
    /// `SSL_CERT_FILE` and `SSL_CERT_DIR` as the local environment sets them.
    var trustSettings: [String: String]
    /// The longest one request may take (the transport's default when nil).
    public var requestTimeout: Duration?

    /// A client for `baseURL`; `settings` gives the provider's code and the trust the local
    /// environment asks for.
    public init(settings: ProviderSettings, baseURL: String, headers: HTTPHeaders = [:], sign: (@Sendable (inout HTTPRequest) async throws -> Void)? = nil, maxRetries: Int = 4, longestRetryWait: Duration = .seconds(30)) {
        self.init(provider: settings.entry.code, trustedBy: settings.environment.local, baseURL: baseURL, headers: headers, sign: sign, maxRetries: maxRetries, longestRetryWait: longestRetryWait)
    }

    /// The same for a client made outside an adapter's `init`: `environment` is the local
    /// environment whose `SSL_CERT_FILE` / `SSL_CERT_DIR` say what to trust.
    public init(provider: String, trustedBy environment: [String: String], baseURL: String, headers: HTTPHeaders = [:], sign: (@Sendable (inout HTTPRequest) async throws -> Void)? = nil, maxRetries: Int = 4, longestRetryWait: Duration = .seconds(30)) {
        self.provider = provider
        self.baseURL = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        self.headers = headers
        self.sign = sign
        self.maxRetries = maxRetries
        self.longestRetryWait = longestRetryWait
        self.trustSettings = environment.filter { $0.key == "SSL_CERT_FILE" || $0.key == "SSL_CERT_DIR" }
    }

    static let logger = Logger(label: "kubectl-certs.providers.api")

    /// One HTTP client per trust setting, shared by every provider of this process.
    private static let clients = Mutex<[[String: String]: HTTPClient]>([:])

    static func http(trust settings: [String: String]) throws(ProviderError) -> HTTPClient {
        let made: Result<HTTPClient, ProviderError> = clients.withLock { clients in
            if let existing = clients[settings] { return .success(existing) }
            do {
                // The transport's own debug lines show whole URLs, and some APIs take credentials
                // in the query: this client logs each call itself, without the query.
                var quiet = Logger(label: "kubectl-certs.providers.http")
                quiet.logLevel = .info
                let client = try HTTPClient(configuration: HTTPClientConfiguration(trust: try trust(environment: settings), timeout: .seconds(30)), logger: quiet)
                clients[settings] = client
                return .success(client)
            } catch let error as ProviderError {
                return .failure(error)
            } catch {
                return .failure(ProviderError(.configuration, provider: nil, "the HTTP client for DNS provider APIs could not be set up: \(error)"))
            }
        }
        return try made.get()
    }

    /// The system store, plus the certificates of `SSL_CERT_FILE` and of the PEM files in `SSL_CERT_DIR`.
    static func trust(environment: [String: String]) throws(ProviderError) -> HTTPClientConfiguration.Trust {
        var extra = Data()
        if let file = environment["SSL_CERT_FILE"], !file.isEmpty {
            guard let data = FileManager.default.contents(atPath: file) else {
                throw ProviderError(.configuration, provider: nil, "SSL_CERT_FILE names \(file), which cannot be read")
            }
            extra += data + Data("\n".utf8)
        }
        if let directory = environment["SSL_CERT_DIR"], !directory.isEmpty {
            for folder in directory.split(separator: ":").map(String.init) {
                let names = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
                for name in names.sorted() where name.hasSuffix(".pem") || name.hasSuffix(".crt") || name.range(of: #"^[0-9a-f]{8}\.[0-9]+$"#, options: .regularExpression) != nil {
                    if let data = FileManager.default.contents(atPath: folder + "/" + name) { extra += data + Data("\n".utf8) }
                }
            }
        }
        return extra.isEmpty ? .system : .systemAnd(pem: extra)
    }

    /// Sends `method path` (with `query`, and `json` as the body) and returns the response when
    /// its status is 2xx or in `accept`; anything else throws, naming `doing` ("adding TXT … in
    /// zone example.com").
    @discardableResult
    public func send(_ method: String, _ path: String, query: [(String, String)] = [], json: JSONValue? = nil, body: Data? = nil, headers extra: HTTPHeaders = [:], accept: Set<Int> = [], doing: String) async throws -> HTTPResponse {
        let http = try Self.http(trust: trustSettings)
        var components = URLComponents(string: baseURL + path)
        if !query.isEmpty { components?.queryItems = query.map { URLQueryItem(name: $0.0, value: $0.1) } }
        guard let url = components?.url?.absoluteString else {
            throw ProviderError(.configuration, provider: provider, "\(baseURL + path) is not a URL (check the provider's base URL setting)")
        }
        var request = HTTPRequest(method: method, url: url, headers: headers, body: json.map { $0.encoded() } ?? body, timeout: requestTimeout)
        for (name, value) in extra { request.headers.set(name, value) }
        if request.body != nil, request.headers["Content-Type"] == nil { request.headers.set("Content-Type", "application/json") }
        if request.headers["Accept"] == nil { request.headers.set("Accept", "application/json") }
        var attempt = 0
        while true {
            var signed = request
            if let sign { try await sign(&signed) }
            let response: HTTPResponse
            do {
                response = try await http.send(signed)
            } catch {
                if error.kind == .cancelled { throw CancellationError() }
                throw ProviderError(.unreachable, provider: provider, "\(doing): \(error.reason) (\(method) \(Self.withoutQuery(url)))")
            }
            Self.logger.debug("\(provider): \(method) \(Self.withoutQuery(url)) -> \(response.status) in \(response.duration)")
            if (200..<300).contains(response.status) || accept.contains(response.status) { return response }
            if let wait = retryWait(response, attempt: attempt) {
                Self.logger.debug("\(provider): \(method) \(Self.withoutQuery(url)) answered \(response.status); retrying in \(wait)")
                try await Task.sleep(for: wait)
                attempt += 1
                continue
            }
            throw error(response, method: method, url: url, doing: doing)
        }
    }

    /// Sends and decodes the answer as JSON.
    public func json(_ method: String, _ path: String, query: [(String, String)] = [], json: JSONValue? = nil, headers extra: HTTPHeaders = [:], accept: Set<Int> = [], doing: String) async throws -> JSONValue {
        let response = try await send(method, path, query: query, json: json, headers: extra, accept: accept, doing: doing)
        guard !response.body.isEmpty else { return .null }
        do {
            return try JSONValue.decode(response.body)
        } catch {
            throw ProviderError(.rejected, provider: provider, "\(doing): the API answered \(response.status) with a body that is not JSON: \(Self.start(of: response.text))")
        }
    }

    /// How long to wait before retrying, or nil when the answer is final.
    private func retryWait(_ response: HTTPResponse, attempt: Int) -> Duration? {
        guard attempt < maxRetries, response.status == 429 || response.status == 503 || (response.status >= 500 && response.headers["Retry-After"] != nil) else { return nil }
        let backoff = Duration.milliseconds(250 * (1 << attempt))
        guard let date = RetryAfter.date(response.headers["Retry-After"]) else { return backoff }
        let seconds = max(0, date.timeIntervalSinceNow)
        guard seconds <= longestRetryWait.seconds else { return nil }
        return max(.milliseconds(Int64(seconds * 1000)), .milliseconds(100))
    }

    private func error(_ response: HTTPResponse, method: String, url: String, doing: String) -> ProviderError {
        let said = Self.message(in: response)
        let code: ProviderError.Code = response.status == 401 || response.status == 403 ? .credentialsRefused : .rejected
        var text = "\(doing): the API answered \(response.status)\(said.isEmpty ? "" : ": \(said)") (\(method) \(Self.withoutQuery(url)))"
        if code == .credentialsRefused { text += " — check the provider's credentials and their permissions (`kubectl certs providers show \(provider)`)" }
        if response.status == 429 { text += " — the API's rate limit; try again later" }
        return ProviderError(code, provider: provider, text)
    }

    /// The API's own words: a JSON body's usual message fields, else the start of the body.
    static func message(in response: HTTPResponse) -> String {
        if let json = try? JSONValue.decode(response.body) {
            var found: [String] = []
            func collect(_ value: JSONValue?) {
                switch value {
                case .string(let text)?: found.append(text)
                case .array(let items)?: items.forEach { collect($0["message"] ?? $0) }
                case .object?:
                    if let message = value?["message"] ?? value?["error_description"] ?? value?["detail"] ?? value?["reason"] { collect(message) }
                default: break
                }
            }
            for key in ["error", "message", "errors", "error_description", "detail", "title"] { collect(json[key]) }
            if !found.isEmpty { return start(of: found.joined(separator: "; ")) }
        }
        return start(of: response.text.trimmingCharacters(in: .whitespacesAndNewlines))
    }

    static func start(of text: String) -> String {
        text.count > 300 ? String(text.prefix(300)) + "…" : text
    }

    /// A URL as it may be shown: some APIs take credentials in the query.
    static func withoutQuery(_ url: String) -> String {
        url.split(separator: "?", maxSplits: 1).first.map(String.init) ?? url
    }
}
