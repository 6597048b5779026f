/// networking.k8s.io/v1 IngressClass: which ingress controller serves Ingresses of a class.
public struct IngressClass: TypedObject {
    public static let resourceType = ResourceType.ingressClasses
    public var object: KubernetesObject

    public init(object: KubernetesObject) {
        self.object = object
    }

    /// The controller that serves it, e.g. `k8s.io/ingress-nginx`.
    public var controller: String? { object[["spec", "controller"]]?.stringValue }

    /// Whether Ingresses that name no class get this one.
    public var isDefault: Bool { object.annotations["ingressclass.kubernetes.io/is-default-class"] == "true" }
}
