/// What a listing reads of an Ingress: where it is and its TLS entries.
public struct ListedIngress: ListedObject {
    public static let resourceType = ResourceType.ingresses
    public var namespace: String
    public var name: String
    public var tls: [Ingress.TLS]

    public init(json object: KubernetesObject) {
        let ingress = Ingress(object: object)
        namespace = ingress.namespace ?? ""
        name = ingress.name
        tls = ingress.tls
    }

    /// Ingress: metadata = 1, spec = 2; IngressSpec: tls = 2; IngressTLS: hosts = 1, secretName = 2.
    public init(protobuf message: ProtobufReader) throws(ProtobufReader.Malformed) {
        var reader = message
        var metadata = KubernetesProtobuf.Metadata()
        var tls: [Ingress.TLS] = []
        while let field = try reader.next() {
            guard let value = field.value.message else { continue }
            if field.number == 1 { metadata = try KubernetesProtobuf.metadata(value) }
            guard field.number == 2 else { continue }
            var spec = value
            while let specField = try spec.next() {
                guard specField.number == 2, var entry = specField.value.message else { continue }
                var item = Ingress.TLS(hosts: [], secretName: nil)
                while let part = try entry.next() {
                    if part.number == 1, let host = part.value.string { item.hosts.append(host) }
                    if part.number == 2, let name = part.value.string, !name.isEmpty { item.secretName = name }
                }
                tls.append(item)
            }
        }
        namespace = metadata.namespace
        name = metadata.name
        self.tls = tls
    }
}
