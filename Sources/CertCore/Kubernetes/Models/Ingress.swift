/// networking.k8s.io/v1 Ingress.
public struct Ingress: TypedObject {
    public static let resourceType = ResourceType.ingresses
    public var object: KubernetesObject

    public init(object: KubernetesObject) {
        self.object = object
    }

    /// One `spec.tls[]` entry: the hosts served from one Secret.
    public struct TLS: Sendable, Equatable {
        public var hosts: [String]
        public var secretName: String?

        public init(hosts: [String], secretName: String?) {
            self.hosts = hosts
            self.secretName = secretName
        }
    }

    public var tls: [TLS] {
        (object[["spec", "tls"]]?.arrayValue ?? []).map { entry in
            TLS(hosts: (entry["hosts"]?.arrayValue ?? []).compactMap(\.stringValue), secretName: entry["secretName"]?.stringValue)
        }
    }

    /// The issuer named by cert-manager's annotations, if any.
    public var issuerReference: IssuerReference? {
        let annotations = object.annotations
        if let name = annotations["cert-manager.io/cluster-issuer"] { return IssuerReference(name: name, kind: "ClusterIssuer") }
        if let name = annotations["cert-manager.io/issuer"] {
            return IssuerReference(name: name, kind: annotations["cert-manager.io/issuer-kind"] ?? "Issuer", group: annotations["cert-manager.io/issuer-group"] ?? "cert-manager.io")
        }
        return nil
    }
}
