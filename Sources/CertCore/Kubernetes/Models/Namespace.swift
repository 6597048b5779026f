/// core/v1 Namespace.
public struct Namespace: TypedObject {
    public static let resourceType = ResourceType.namespaces
    public var object: KubernetesObject

    public init(object: KubernetesObject) {
        self.object = object
    }
}
