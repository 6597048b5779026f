/// The few fields of a kind that a read-only listing needs, read from whichever encoding the
/// API server answers in: protobuf when it can (Kubernetes' built-in kinds), JSON otherwise.
/// A listed object is never written back: it lacks every field it does not name.
public protocol ListedObject: Sendable {
    static var resourceType: ResourceType { get }
    /// From one item of a JSON list.
    init(json object: KubernetesObject)
    /// From one item of a protobuf list (the kind's own message).
    init(protobuf message: ProtobufReader) throws(ProtobufReader.Malformed)
}
