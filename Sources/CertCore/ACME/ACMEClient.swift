import Foundation
public import Logging

/// An RFC 8555 client for one ACME server and one account key.
///
/// Every request is signed with the account key (by `kid` once the account is known, by `jwk`
/// before), nonces are pooled from responses, and a `badNonce` answer is retried with the
/// fresh nonce it carries. Safe to use from many tasks at once.
public actor ACMEClient {
    public nonisolated let directoryURL: String
    public nonisolated let directory: ACMEDirectory
    public private(set) var accountKey: PrivateKey
    /// The account's URL once registered or found (the JWS `kid`).
    public private(set) var accountURL: String?
    /// How many `badNonce` answers in a row one request survives. A server that rejects nine
    /// good nonces in ten (Pebble's `PEBBLE_WFE_NONCEREJECT=90`) fails one request in 10⁷ with
    /// this many; with 20, one in ten failed. Each retry is one round trip.
    public var badNonceRetries = 150

    let http: HTTPClient
    let logger: Logger
    private var nonces: [String] = []

    public init(directoryURL: String, directory: ACMEDirectory, accountKey: PrivateKey, accountURL: String? = nil, http: HTTPClient, logger: Logger = Logger(label: "kubectl-certs.acme")) {
        self.directoryURL = directoryURL
        self.directory = directory
        self.accountKey = accountKey
        self.accountURL = accountURL
        self.http = http
        self.logger = logger
    }

    /// Fetches the server's directory and returns a client for it.
    public static func connect(to server: ACMEServer, accountKey: PrivateKey, http: HTTPClient, logger: Logger = Logger(label: "kubectl-certs.acme")) async throws(ACMEError) -> ACMEClient {
        let directory = try await fetchDirectory(of: server, http: http)
        return ACMEClient(directoryURL: server.directoryURL, directory: directory, accountKey: accountKey, http: http, logger: logger)
    }

    /// The server's directory, without an account: enough to ask for renewal information.
    public static func fetchDirectory(of server: ACMEServer, http: HTTPClient) async throws(ACMEError) -> ACMEDirectory {
        let url = server.directoryURL
        let response = try await send(http, HTTPRequest(url: url, headers: ["Accept": "application/json"]))
        guard response.status == 200 else {
            throw ACMEError(kind: .transport, message: "the ACME directory \(url) answered HTTP \(response.status); check --server", problem: try? JSONDecoder().decode(ACMEError.Problem.self, from: response.body), status: response.status)
        }
        do {
            return try JSONDecoder().decode(ACMEDirectory.self, from: response.body)
        } catch {
            throw ACMEError(kind: .protocolViolation, message: "\(url) is not an ACME directory (it lacks newNonce, newAccount, newOrder or revokeCert); check --server")
        }
    }

    // MARK: - Requests

    static func send(_ http: HTTPClient, _ request: HTTPRequest) async throws(ACMEError) -> HTTPResponse {
        do {
            return try await http.send(request)
        } catch {
            throw ACMEError(kind: .transport, message: "could not reach the ACME server: \(error)")
        }
    }

    private func nextNonce() async throws(ACMEError) -> String {
        if let nonce = nonces.popLast() { return nonce }
        let response = try await Self.send(http, HTTPRequest(method: "HEAD", url: directory.newNonce))
        guard let nonce = response.headers["Replay-Nonce"] else {
            throw ACMEError(kind: .protocolViolation, message: "the ACME server gave no Replay-Nonce at \(directory.newNonce) (HTTP \(response.status))")
        }
        return nonce
    }

    private func remember(_ response: HTTPResponse) {
        if let nonce = response.headers["Replay-Nonce"] {
            nonces.append(nonce)
            if nonces.count > 32 { nonces.removeFirst(nonces.count - 32) }
        }
    }

    /// How a request is signed.
    enum Signer {
        /// The account key, by `kid` (the normal case).
        case account
        /// The account key with its `jwk` (newAccount; before the account URL is known).
        case accountJWK
        /// Another key, with its `jwk` (revocation by the certificate's key).
        case key(PrivateKey)
    }

    /// POSTs a JWS-signed payload (nil for POST-as-GET) and returns a 2xx response, or throws
    /// the problem the server sent. `badNonce` is retried with a fresh nonce.
    func post(_ url: String, payload: Data?, signer: Signer = .account, accept: String = "application/json") async throws(ACMEError) -> HTTPResponse {
        var attempt = 0
        while true {
            attempt += 1
            let nonce = try await nextNonce()
            let body: Data
            do {
                switch signer {
                case .account:
                    guard let accountURL else {
                        throw ACMEError(kind: .invalidInput, message: "no ACME account yet: register or find one first")
                    }
                    body = try JWS.sign(payload: payload, url: url, nonce: nonce, keyID: accountURL, key: accountKey)
                case .accountJWK:
                    body = try JWS.sign(payload: payload, url: url, nonce: nonce, keyID: nil, key: accountKey)
                case .key(let key):
                    body = try JWS.sign(payload: payload, url: url, nonce: nonce, keyID: nil, key: key)
                }
            } catch let error as ACMEError {
                throw error
            } catch {
                throw ACMEError(kind: .invalidInput, message: "could not sign the request to \(url): \(error)")
            }
            let response = try await Self.send(http, HTTPRequest(method: "POST", url: url, headers: ["Content-Type": "application/jose+json", "Accept": accept], body: body))
            remember(response)
            if (200..<300).contains(response.status) { return response }
            let error = Self.error(from: response, url: url)
            if error.problemType == "badNonce" && attempt <= badNonceRetries {
                logger.debug("badNonce from \(url); retrying with the fresh nonce (attempt \(attempt))")
                continue
            }
            throw error
        }
    }

    /// The error a non-2xx answer means: its problem document when there is one.
    static func error(from response: HTTPResponse, url: String) -> ACMEError {
        let problem = try? JSONDecoder().decode(ACMEError.Problem.self, from: response.body)
        let retryAfter = RetryAfter.date(response.headers["Retry-After"])
        if let problem, problem.type != nil {
            return ACMEError(kind: .problem, message: "the ACME server refused \(url) (HTTP \(response.status))", problem: problem, status: response.status, retryAfter: retryAfter)
        }
        let snippet = String(response.text.prefix(200))
        return ACMEError(kind: .transport, message: "the ACME server answered \(url) with HTTP \(response.status) and no problem document: \(snippet)", status: response.status, retryAfter: retryAfter)
    }

    static func decode<T: Decodable>(_ type: T.Type, from response: HTTPResponse, url: String) throws(ACMEError) -> T {
        do {
            return try JSONDecoder().decode(type, from: response.body)
        } catch {
            throw ACMEError(kind: .protocolViolation, message: "the ACME server's answer from \(url) did not parse as \(type): \(error)")
        }
    }

    static func encode<T: Encodable>(_ value: T) -> Data {
        // Encoding plain value types built here cannot fail.
        (try? JSONEncoder().encode(value)) ?? Data("{}".utf8)
    }

    func location(of response: HTTPResponse, for what: String) throws(ACMEError) -> String {
        guard let location = response.headers["Location"] else {
            throw ACMEError(kind: .protocolViolation, message: "the ACME server created \(what) but gave no Location")
        }
        return location
    }

    // MARK: - Challenges

    /// `token.thumbprint` (RFC 8555 §8.1).
    public func keyAuthorization(for token: String) -> String {
        token + "." + accountKey.publicJWK.thumbprint
    }

    /// The TXT value of a DNS-01 challenge: base64url(SHA-256(key authorization)) (§8.4).
    public func dns01Value(for token: String) -> String {
        Base64URL.encode(Digest.sha256(Data(keyAuthorization(for: token).utf8)))
    }

    func replaceAccountKey(_ key: PrivateKey) {
        accountKey = key
    }

    func setAccountURL(_ url: String?) {
        accountURL = url
    }
}
