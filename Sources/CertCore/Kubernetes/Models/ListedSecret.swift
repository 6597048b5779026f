public import Foundation

/// What a listing reads of a Secret: where it is, its labels and annotations, its type and data.
public struct ListedSecret: ListedObject {
    public static let resourceType = ResourceType.secrets
    public var namespace: String
    public var name: String
    public var labels: [String: String]
    public var annotations: [String: String]
    public var type: String
    public var data: [String: Data]

    public init(_ secret: Secret) {
        namespace = secret.namespace ?? ""
        name = secret.name
        labels = secret.labels
        annotations = secret.annotations
        type = secret.type
        data = secret.data
    }

    public init(json object: KubernetesObject) {
        self.init(Secret(object: object))
    }

    /// Secret: metadata = 1, data = 2 (map<string, bytes>), type = 3.
    public init(protobuf message: ProtobufReader) throws(ProtobufReader.Malformed) {
        var reader = message
        var metadata = KubernetesProtobuf.Metadata()
        var type = "Opaque"
        var data: [String: Data] = [:]
        while let field = try reader.next() {
            switch field.number {
            case 1: if let value = field.value.message { metadata = try KubernetesProtobuf.metadata(value) }
            case 2: if let (key, value) = try KubernetesProtobuf.bytesEntry(field.value) { data[key] = value }
            case 3: if let value = field.value.string, !value.isEmpty { type = value }
            default: continue
            }
        }
        (namespace, name, labels, annotations) = (metadata.namespace, metadata.name, metadata.labels, metadata.annotations)
        self.type = type
        self.data = data
    }
}
