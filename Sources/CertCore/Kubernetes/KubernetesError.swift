/// A Kubernetes API call or configuration step that failed, with what to do about it.
public struct KubernetesError: Error, CustomStringConvertible, Sendable {
    public enum Kind: String, Sendable {
        /// The kubeconfig (or in-cluster configuration) is missing, unreadable or inconsistent.
        case configuration
        /// 401: the credentials were not accepted.
        case unauthorized
        /// 403: the user may not do this.
        case forbidden
        case notFound
        case alreadyExists
        /// 409 on update: someone else changed the object; re-read and retry.
        case conflict
        /// 422: the object is not valid.
        case invalid
        /// 410: a list continue token expired.
        case gone
        /// 429 after the retries, or 5xx.
        case server
        /// The API server could not be reached.
        case transport
        /// The API server did not answer in time.
        case timeout
        case badRequest
    }

    public var kind: Kind
    public var message: String
    /// The HTTP status, when the server answered.
    public var status: Int?
    /// The `reason` of the server's metav1.Status.
    public var reason: String?

    public init(kind: Kind, message: String, status: Int? = nil, reason: String? = nil) {
        self.kind = kind
        self.message = message
        self.status = status
        self.reason = reason
    }

    public var description: String { message }

    /// kubectl's words for a server error: `Error from server (NotFound): secrets "x" not found`.
    static func fromServer(status: Int, body: JSONValue?, fallback: String) -> KubernetesError {
        let reason = body?["reason"]?.stringValue
        let message = body?["message"]?.stringValue ?? fallback
        let kind: Kind
        switch (status, reason) {
        case (401, _): kind = .unauthorized
        case (403, _): kind = .forbidden
        case (404, _): kind = .notFound
        case (409, "AlreadyExists"): kind = .alreadyExists
        case (409, _): kind = .conflict
        case (410, _): kind = .gone
        case (422, _): kind = .invalid
        case (400, _): kind = .badRequest
        default: kind = .server
        }
        var text = "Error from server (\(reason ?? "HTTP \(status)")): \(message)"
        if kind == .unauthorized {
            text += " — the API server did not accept the credentials; check the user of your kubeconfig context"
        }
        return KubernetesError(kind: kind, message: text, status: status, reason: reason)
    }
}
