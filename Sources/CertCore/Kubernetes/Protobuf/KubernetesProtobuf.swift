public import Foundation

/// The protobuf encoding of Kubernetes' built-in kinds (`application/vnd.kubernetes.protobuf`):
/// a 4-byte magic `k8s\0`, then a `runtime.Unknown` whose `raw` field holds the object. Field
/// numbers are those of the public `generated.proto` files of k8s.io/api and k8s.io/apimachinery.
/// Only what this program reads is decoded; every other field is skipped.
public enum KubernetesProtobuf {
    public static let contentType = "application/vnd.kubernetes.protobuf"
    private static let magic: [UInt8] = [0x6b, 0x38, 0x73, 0x00]

    /// The object inside an answer's envelope, with the kind the envelope names.
    public struct Envelope {
        public var apiVersion: String
        public var kind: String
        public var object: ProtobufReader
    }

    public static func unwrap(_ body: Data) throws(ProtobufReader.Malformed) -> Envelope {
        guard body.starts(with: magic) else {
            throw ProtobufReader.Malformed(description: "the answer does not start with the k8s protobuf magic")
        }
        // runtime.Unknown: typeMeta = 1 (apiVersion = 1, kind = 2), raw = 2.
        var unknown = ProtobufReader(body.dropFirst(magic.count))
        var envelope = Envelope(apiVersion: "", kind: "", object: ProtobufReader(Data()))
        while let field = try unknown.next() {
            switch field.number {
            case 1:
                guard var typeMeta = field.value.message else { continue }
                while let part = try typeMeta.next() {
                    if part.number == 1 { envelope.apiVersion = part.value.string ?? "" }
                    if part.number == 2 { envelope.kind = part.value.string ?? "" }
                }
            case 2:
                if let raw = field.value.message { envelope.object = raw }
            default:
                continue
            }
        }
        return envelope
    }

    /// A list's items (field 2) and its ListMeta's (field 1) continue token and resourceVersion.
    public struct List {
        public var items: [ProtobufReader] = []
        public var continueToken: String?
        public var resourceVersion: String?
    }

    public static func list(_ message: ProtobufReader) throws(ProtobufReader.Malformed) -> List {
        var reader = message
        var list = List()
        while let field = try reader.next() {
            guard let value = field.value.message else { continue }
            if field.number == 2 { list.items.append(value); continue }
            guard field.number == 1 else { continue }
            var listMeta = value
            // ListMeta: resourceVersion = 2, continue = 3.
            while let part = try listMeta.next() {
                if part.number == 2 { list.resourceVersion = part.value.string }
                if part.number == 3, let token = part.value.string, !token.isEmpty { list.continueToken = token }
            }
        }
        return list
    }

    /// What is read of an ObjectMeta.
    public struct Metadata: Sendable {
        public var name = ""
        public var namespace = ""
        public var labels: [String: String] = [:]
        public var annotations: [String: String] = [:]
    }

    public static func metadata(_ message: ProtobufReader) throws(ProtobufReader.Malformed) -> Metadata {
        var reader = message
        var metadata = Metadata()
        // ObjectMeta: name = 1, namespace = 3, labels = 11, annotations = 12.
        while let field = try reader.next() {
            switch field.number {
            case 1: metadata.name = field.value.string ?? ""
            case 3: metadata.namespace = field.value.string ?? ""
            case 11: if let (key, value) = try stringEntry(field.value) { metadata.labels[key] = value }
            case 12: if let (key, value) = try stringEntry(field.value) { metadata.annotations[key] = value }
            default: continue
            }
        }
        return metadata
    }

    /// One entry of a map<string, string> (key = 1, value = 2).
    public static func stringEntry(_ value: ProtobufReader.Value) throws(ProtobufReader.Malformed) -> (String, String)? {
        guard let (key, entry) = try entry(value) else { return nil }
        return (key, entry?.string ?? "")
    }

    /// One entry of a map<string, bytes> (key = 1, value = 2).
    public static func bytesEntry(_ value: ProtobufReader.Value) throws(ProtobufReader.Malformed) -> (String, Data)? {
        guard let (key, entry) = try entry(value) else { return nil }
        return (key, entry?.data ?? Data())
    }

    private static func entry(_ value: ProtobufReader.Value) throws(ProtobufReader.Malformed) -> (String, ProtobufReader?)? {
        guard var reader = value.message else { return nil }
        var key = "", entry: ProtobufReader?
        while let field = try reader.next() {
            if field.number == 1 { key = field.value.string ?? "" }
            if field.number == 2 { entry = field.value.message }
        }
        return (key, entry)
    }

    /// A `metav1.Status` (an error answer) as the JSON fields `KubernetesError` reads:
    /// status = 2, message = 3, reason = 4, code = 6.
    public static func status(_ message: ProtobufReader) throws(ProtobufReader.Malformed) -> JSONValue {
        var reader = message
        var fields: [String: JSONValue] = ["kind": "Status"]
        while let field = try reader.next() {
            switch field.number {
            case 2: fields["status"] = field.value.string.map(JSONValue.string)
            case 3: fields["message"] = field.value.string.map(JSONValue.string)
            case 4: fields["reason"] = field.value.string.map(JSONValue.string)
            case 6: fields["code"] = field.value.integer.map { .number(Double($0)) }
            default: continue
            }
        }
        return .object(fields)
    }
}
