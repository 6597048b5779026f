/// A typed view of one kind of Kubernetes object. The object's JSON stays the source of
/// truth, so fields without an accessor here are kept as they are.
public protocol TypedObject: Sendable {
    static var resourceType: ResourceType { get }
    var object: KubernetesObject { get set }
    init(object: KubernetesObject)
}

extension TypedObject {
    public init(name: String, namespace: String? = nil) {
        self.init(object: KubernetesObject(Self.resourceType, name: name, namespace: namespace))
    }

    public var name: String { object.name }
    public var namespace: String? { object.namespace }
    public var labels: [String: String] {
        get { object.labels }
        set { object.labels = newValue }
    }
    public var annotations: [String: String] {
        get { object.annotations }
        set { object.annotations = newValue }
    }
}

/// A status condition as Kubernetes and cert-manager write them.
public struct ObjectCondition: Sendable, Equatable {
    public var type: String
    public var status: String
    public var reason: String?
    public var message: String?

    public init(type: String, status: String, reason: String? = nil, message: String? = nil) {
        self.type = type
        self.status = status
        self.reason = reason
        self.message = message
    }

    static func list(_ value: JSONValue?) -> [ObjectCondition] {
        (value?.arrayValue ?? []).compactMap { item in
            guard let type = item["type"]?.stringValue else { return nil }
            return ObjectCondition(type: type, status: item["status"]?.stringValue ?? "Unknown", reason: item["reason"]?.stringValue, message: item["message"]?.stringValue)
        }
    }
}

/// A reference to a cert-manager issuer.
public struct IssuerReference: Sendable, Equatable {
    public var name: String
    /// "Issuer" (the default) or "ClusterIssuer".
    public var kind: String
    public var group: String

    public init(name: String, kind: String = "Issuer", group: String = "cert-manager.io") {
        self.name = name
        self.kind = kind
        self.group = group
    }
}
