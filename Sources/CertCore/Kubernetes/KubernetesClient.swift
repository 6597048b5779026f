import Foundation
public import Logging
import Synchronization

/// A client for the Kubernetes REST API of one cluster, as one user.
///
/// Requests are rate limited like kubectl's (QPS 50, burst 100, unless the caller sets a
/// `RequestRate` of its own); 429 answers are retried after
/// their `Retry-After` (a few times); a 401 refreshes exec-plugin and token-file credentials
/// once. `metav1.Status` answers become `KubernetesError`s with kubectl's wording.
public final class KubernetesClient: Sendable {
    public let connection: ClusterConnection
    public let requestTimeout: Duration?
    private let authenticator: KubernetesAuthenticator
    private let limiter: RateLimiter
    private let logger: Logger
    /// One HTTP client per client identity (an exec plugin may hand out certificates).
    private let clients = Mutex<[HTTPClientConfiguration.ClientIdentity?: HTTPClient]>([:])
    private let maxRetries = 5
    /// How long one request may take when nobody says otherwise (kubectl waits forever; a
    /// run that holds DNS records published must not).
    public static let defaultRequestTimeout = Duration.seconds(30)

    /// `requestTimeout` bounds each request; nil waits as long as the server takes.
    public init(connection: ClusterConnection, requestTimeout: Duration? = KubernetesClient.defaultRequestTimeout, rate: RequestRate = .kubectl, logger: Logger = Logger(label: "kubectl-certs.kubernetes")) {
        self.connection = connection
        self.limiter = RateLimiter(perSecond: rate.perSecond, burst: rate.burst)
        self.requestTimeout = requestTimeout
        self.authenticator = KubernetesAuthenticator(connection.credentials)
        self.logger = logger
    }

    /// Loads the kubeconfig with kubectl's rules and returns a client for its context.
    public convenience init(options: KubeConfigOptions, requestTimeout: Duration? = KubernetesClient.defaultRequestTimeout, rate: RequestRate = .kubectl, logger: Logger = Logger(label: "kubectl-certs.kubernetes")) throws(KubernetesError) {
        self.init(connection: try KubeConfigLoader.connection(options), requestTimeout: requestTimeout, rate: rate, logger: logger)
    }

    /// How many requests a second the client sends at most, after a first burst.
    public struct RequestRate: Sendable {
        public var perSecond: Double
        public var burst: Int

        public init(perSecond: Double, burst: Int) {
            self.perSecond = perSecond
            self.burst = burst
        }

        /// kubectl's own.
        public static let kubectl = RequestRate(perSecond: 50, burst: 100)
    }

    // MARK: - Verbs

    public func get(_ type: ResourceType, name: String, namespace: String? = nil) async throws(KubernetesError) -> KubernetesObject {
        KubernetesObject(json: try await request("GET", type.path(namespace: namespace ?? defaultNamespace(type), name: name)))
    }

    /// The object, or nil when it does not exist.
    public func getIfPresent(_ type: ResourceType, name: String, namespace: String? = nil) async throws(KubernetesError) -> KubernetesObject? {
        do {
            return try await get(type, name: name, namespace: namespace)
        } catch where error.kind == .notFound {
            return nil
        }
    }

    public func get<T: TypedObject>(_ type: T.Type, name: String, namespace: String? = nil) async throws(KubernetesError) -> T {
        T(object: try await get(T.resourceType, name: name, namespace: namespace))
    }

    /// One page of a list. `namespace` nil lists across all namespaces.
    public struct Page: Sendable {
        public var items: [KubernetesObject]
        public var continueToken: String?
        public var resourceVersion: String?
    }

    public func listPage(_ type: ResourceType, namespace: String?, labelSelector: String? = nil, fieldSelector: String? = nil, limit: Int = 500, continueToken: String? = nil) async throws(KubernetesError) -> Page {
        let query = Self.listQuery(labelSelector: labelSelector, fieldSelector: fieldSelector, limit: limit, continueToken: continueToken)
        let body = try await request("GET", type.path(namespace: namespace), query: query)
        let items = (body["items"]?.arrayValue ?? []).map { item -> KubernetesObject in
            // List items omit apiVersion and kind; put them back so each object stands alone.
            var json = item
            if json["kind"] == nil { json["kind"] = .string(type.kind) }
            if json["apiVersion"] == nil { json["apiVersion"] = .string(type.apiVersion) }
            return KubernetesObject(json: json)
        }
        return Page(items: items, continueToken: Self.continueToken(of: body), resourceVersion: body["metadata"]?["resourceVersion"]?.stringValue)
    }

    /// A list request's query: the page size, the selectors given, where to go on from.
    private static func listQuery(labelSelector: String?, fieldSelector: String?, limit: Int, continueToken: String?) -> [(String, String)] {
        var query: [(String, String)] = [("limit", String(limit))]
        if let labelSelector, !labelSelector.isEmpty { query.append(("labelSelector", labelSelector)) }
        if let fieldSelector, !fieldSelector.isEmpty { query.append(("fieldSelector", fieldSelector)) }
        if let continueToken { query.append(("continue", continueToken)) }
        return query
    }

    /// A JSON list's continue token; nil on the last page.
    private static func continueToken(of body: JSONValue) -> String? {
        let token = body["metadata"]?["continue"]?.stringValue
        return token?.isEmpty == false ? token : nil
    }

    /// Every object, page by page. A continue token that expires (410 Gone) restarts the
    /// list from the beginning, a few times at most.
    public func list(_ type: ResourceType, namespace: String?, labelSelector: String? = nil, fieldSelector: String? = nil, pageSize: Int = 500) async throws(KubernetesError) -> [KubernetesObject] {
        try await allPages(of: type) { token throws(KubernetesError) in
            let page = try await listPage(type, namespace: namespace, labelSelector: labelSelector, fieldSelector: fieldSelector, limit: pageSize, continueToken: token)
            return (page.items, page.continueToken)
        }
    }

    /// Every listed `T`, page by page, as `list` does.
    public func list<T: ListedObject>(_ type: T.Type, namespace: String?, labelSelector: String? = nil, fieldSelector: String? = nil, pageSize: Int = 500) async throws(KubernetesError) -> [T] {
        try await allPages(of: T.resourceType) { token throws(KubernetesError) in
            let page = try await listPage(T.self, namespace: namespace, labelSelector: labelSelector, fieldSelector: fieldSelector, limit: pageSize, continueToken: token)
            return (page.items, page.continueToken)
        }
    }

    private func allPages<Item>(of type: ResourceType, _ fetch: (String?) async throws(KubernetesError) -> ([Item], String?)) async throws(KubernetesError) -> [Item] {
        var restarts = 0
        while true {
            var items: [Item] = []
            var token: String?
            do {
                repeat {
                    let (page, next) = try await fetch(token)
                    items += page
                    token = next
                } while token != nil
                return items
            } catch where error.kind == .gone && restarts < 3 {
                restarts += 1
                logger.debug("the list of \(type) expired mid-way; starting over (\(restarts))")
            }
        }
    }

    public func list<T: TypedObject>(_ type: T.Type, namespace: String?, labelSelector: String? = nil, fieldSelector: String? = nil) async throws(KubernetesError) -> [T] {
        try await list(T.resourceType, namespace: namespace, labelSelector: labelSelector, fieldSelector: fieldSelector).map(T.init(object:))
    }

    /// One page of a listing of `T`: asked in protobuf first (the API server answers its
    /// built-in kinds so, far cheaper to read than JSON), read in whichever encoding came.
    public struct ListedPage<T: ListedObject>: Sendable {
        public var items: [T]
        public var continueToken: String?
    }

    public func listPage<T: ListedObject>(_ type: T.Type, namespace: String?, labelSelector: String? = nil, fieldSelector: String? = nil, limit: Int = 500, continueToken: String? = nil) async throws(KubernetesError) -> ListedPage<T> {
        let query = Self.listQuery(labelSelector: labelSelector, fieldSelector: fieldSelector, limit: limit, continueToken: continueToken)
        let path = T.resourceType.path(namespace: namespace)
        let response = try await send("GET", path, query: query, accept: "\(KubernetesProtobuf.contentType), application/json")
        if Self.isProtobuf(response) {
            do {
                let list = try KubernetesProtobuf.list(KubernetesProtobuf.unwrap(response.body).object)
                return ListedPage(items: try list.items.map { message throws(ProtobufReader.Malformed) in try T(protobuf: message) }, continueToken: list.continueToken)
            } catch {
                throw KubernetesError(kind: .server, message: "the API server's protobuf answer to GET \(path) could not be read: \(error)")
            }
        }
        guard let body = try? JSONValue.decode(response.body) else {
            throw KubernetesError(kind: .server, message: "the API server's answer to GET \(path) is neither JSON nor protobuf")
        }
        return ListedPage(items: (body["items"]?.arrayValue ?? []).map { T(json: KubernetesObject(json: $0)) }, continueToken: Self.continueToken(of: body))
    }

    public func create(_ object: KubernetesObject) async throws(KubernetesError) -> KubernetesObject {
        let type = try resourceType(of: object)
        return KubernetesObject(json: try await request("POST", type.path(namespace: object.namespace ?? defaultNamespace(type)), body: object.json))
    }

    /// PUT: fails with `.conflict` when the object changed since `object.resourceVersion`.
    public func update(_ object: KubernetesObject) async throws(KubernetesError) -> KubernetesObject {
        let type = try resourceType(of: object)
        return KubernetesObject(json: try await request("PUT", type.path(namespace: object.namespace ?? defaultNamespace(type), name: object.name), body: object.json))
    }

    /// Server-side apply as `fieldManager`; `force` takes fields other managers own.
    public func apply(_ object: KubernetesObject, fieldManager: String, force: Bool = false) async throws(KubernetesError) -> KubernetesObject {
        let type = try resourceType(of: object)
        var query = [("fieldManager", fieldManager)]
        if force { query.append(("force", "true")) }
        return KubernetesObject(json: try await request("PATCH", type.path(namespace: object.namespace ?? defaultNamespace(type), name: object.name), query: query, body: object.json, contentType: "application/apply-patch+yaml"))
    }

    /// JSON merge patch (RFC 7386).
    public func mergePatch(_ type: ResourceType, name: String, namespace: String? = nil, patch: JSONValue) async throws(KubernetesError) -> KubernetesObject {
        KubernetesObject(json: try await request("PATCH", type.path(namespace: namespace ?? defaultNamespace(type), name: name), body: patch, contentType: "application/merge-patch+json"))
    }

    /// JSON patch (RFC 6902): a list of operations, applied all or none. A `test` operation
    /// that fails makes the server refuse the whole patch (`.invalid`).
    public func jsonPatch(_ type: ResourceType, name: String, namespace: String? = nil, operations: [JSONValue]) async throws(KubernetesError) -> KubernetesObject {
        KubernetesObject(json: try await request("PATCH", type.path(namespace: namespace ?? defaultNamespace(type), name: name), body: .array(operations), contentType: "application/json-patch+json"))
    }

    /// DELETE. With `uid` or `resourceVersion`, only that very object (DeleteOptions
    /// preconditions): `.conflict` when it was replaced or changed since.
    public func delete(_ type: ResourceType, name: String, namespace: String? = nil, uid: String? = nil, resourceVersion: String? = nil) async throws(KubernetesError) {
        var body: JSONValue?
        if uid != nil || resourceVersion != nil {
            var preconditions: [String: JSONValue] = [:]
            preconditions["uid"] = uid.map(JSONValue.string)
            preconditions["resourceVersion"] = resourceVersion.map(JSONValue.string)
            body = ["kind": "DeleteOptions", "apiVersion": "v1", "preconditions": .object(preconditions)]
        }
        _ = try await request("DELETE", type.path(namespace: namespace ?? defaultNamespace(type), name: name), body: body)
    }

    private func defaultNamespace(_ type: ResourceType) -> String? {
        type.namespaced ? connection.namespace : nil
    }

    private func resourceType(of object: KubernetesObject) throws(KubernetesError) -> ResourceType {
        let known: [ResourceType] = [.namespaces, .secrets, .ingresses, .certificates, .certificateRequests, .issuers, .clusterIssuers, .leases, .events,
                                   .serviceAccounts, .clusterRoles, .clusterRoleBindings, .cronJobs, .configMaps, .pods, .services, .ingressClasses]
        guard let type = known.first(where: { $0.kind == object.kind && $0.apiVersion == object.apiVersion }) else {
            throw KubernetesError(kind: .badRequest, message: "kubectl-certs does not handle \(object.apiVersion ?? "?")/\(object.kind ?? "?") objects")
        }
        return type
    }

    // MARK: - Transport

    /// Sends one request and returns the decoded JSON body of a 2xx answer.
    func request(_ method: String, _ path: String, query: [(String, String)] = [], body: JSONValue? = nil, contentType: String = "application/json") async throws(KubernetesError) -> JSONValue {
        let response = try await send(method, path, query: query, body: body, contentType: contentType, accept: "application/json")
        guard let decoded = response.body.isEmpty ? nil : try? JSONValue.decode(response.body) else {
            if method == "DELETE" || response.body.isEmpty { return .object([:]) }
            throw KubernetesError(kind: .server, message: "the API server's answer to \(method) \(path) is not JSON")
        }
        return decoded
    }

    /// Sends one request and returns a 2xx answer as it came, in whichever of the `accept`ed
    /// types the server chose. Errors (a `metav1.Status` in JSON or protobuf) are thrown.
    func send(_ method: String, _ path: String, query: [(String, String)] = [], body: JSONValue? = nil, contentType: String = "application/json", accept: String) async throws(KubernetesError) -> HTTPResponse {
        var components = URLComponents()
        components.queryItems = query.isEmpty ? nil : query.map { URLQueryItem(name: $0.0, value: $0.1) }
        // '+' is a space to many servers' query parsers; spell it out.
        let queryString = components.percentEncodedQuery.map { "?" + $0.replacingOccurrences(of: "+", with: "%2B") } ?? ""
        let url = connection.server.trimmingCharacters(in: CharacterSet(charactersIn: "/")) + path + queryString
        let payload = body?.encoded()
        var refreshedCredentials = false
        var attempt = 0
        while true {
            attempt += 1
            await limiter.acquire()
            let authorization = try await authenticator.authorization()
            var headers: HTTPHeaders = ["Accept": accept]
            if payload != nil { headers.add("Content-Type", contentType) }
            if let header = authorization.header { headers.add("Authorization", header) }
            let http = try client(for: authorization.clientIdentity)
            let started = ContinuousClock.now
            let response: HTTPResponse
            do {
                response = try await http.send(HTTPRequest(method: method, url: url, headers: headers, body: payload, timeout: requestTimeout))
            } catch {
                logger.debug("\(method) \(url) failed after \(ContinuousClock.now - started): \(error.reason)")
                if error.kind == .timeout, let requestTimeout {
                    throw KubernetesError(kind: .timeout, message: "the API server of context \"\(connection.contextName)\" did not answer \(method) \(path) within \(requestTimeout.shortText); try again, or give --request-timeout a longer duration (0 waits as long as it takes)")
                }
                throw KubernetesError(kind: .transport, message: "cannot reach the API server of context \"\(connection.contextName)\": \(error)")
            }
            let protobuf = Self.isProtobuf(response)
            logger.debug("\(method) \(url) \(response.status)\(protobuf ? " (protobuf)" : "") in \(response.duration)")
            if logger.logLevel <= .trace {
                if let payload, let sent = try? JSONValue.decode(payload) { logger.trace("request body: \(String(decoding: Redaction.redact(sent).encoded(), as: UTF8.self))") }
                if protobuf {
                    logger.trace("response body: \(response.body.count) bytes of protobuf")
                } else if !response.body.isEmpty, let received = try? JSONValue.decode(response.body) {
                    logger.trace("response body: \(String(decoding: Redaction.redact(received).encoded(), as: UTF8.self))")
                }
            }
            if (200..<300).contains(response.status) { return response }
            if response.status == 401 && !refreshedCredentials {
                refreshedCredentials = true
                if await authenticator.invalidate() { continue }
            }
            if (response.status == 429 || (response.status >= 500 && response.headers["Retry-After"] != nil)) && attempt <= maxRetries {
                let seconds = min(RetryAfter.date(response.headers["Retry-After"])?.timeIntervalSinceNow ?? 1, 10)
                logger.debug("\(method) \(url): HTTP \(response.status); retrying in \(seconds)s")
                try? await Task.sleep(for: .milliseconds(Int(max(seconds, 0.1) * 1000)))
                continue
            }
            throw KubernetesError.fromServer(status: response.status, body: Self.errorStatus(response), fallback: "the server answered HTTP \(response.status) to \(method) \(path)")
        }
    }

    private static func isProtobuf(_ response: HTTPResponse) -> Bool {
        response.headers["Content-Type"]?.hasPrefix(KubernetesProtobuf.contentType) == true
    }

    /// The `metav1.Status` of an error answer, in either encoding.
    private static func errorStatus(_ response: HTTPResponse) -> JSONValue? {
        guard !response.body.isEmpty else { return nil }
        guard isProtobuf(response) else { return try? JSONValue.decode(response.body) }
        return try? KubernetesProtobuf.status(KubernetesProtobuf.unwrap(response.body).object)
    }

    private func client(for identity: HTTPClientConfiguration.ClientIdentity?) throws(KubernetesError) -> HTTPClient {
        let result: Result<HTTPClient, HTTPClientSetupError> = clients.withLock { clients in
            if let existing = clients[identity] { return .success(existing) }
            var configuration = connection.tls
            if let identity { configuration.clientIdentity = identity }
            configuration.timeout = nil
            let made = Result { () throws(HTTPClientSetupError) -> HTTPClient in try HTTPClient(configuration: configuration, logger: logger) }
            if case .success(let client) = made { clients[identity] = client }
            return made
        }
        switch result {
        case .success(let client): return client
        case .failure(let error): throw KubernetesError(kind: .configuration, message: "cannot set up HTTPS for context \"\(connection.contextName)\": \(error)")
        }
    }
}
