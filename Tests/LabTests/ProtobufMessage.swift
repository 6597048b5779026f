import CertCore
import Foundation

/// kube-test-server's protobuf answers read field by field (with the product's wire reader, so
/// that the server's Python encoder and the Swift decoder check each other): each field's number
/// with its varint or its bytes (a nested message, a string, a map entry).
struct ProtobufMessage {
    enum Value {
        case varint(UInt64)
        case bytes(Data)
    }

    struct Malformed: Error, CustomStringConvertible {
        var description: String
    }

    /// The fields in the order they were written.
    let fields: [(number: Int, value: Value)]

    init(_ data: Data) throws {
        var reader = ProtobufReader(data)
        var fields: [(number: Int, value: Value)] = []
        while let field = try reader.next() {
            switch field.value {
            case .varint(let value): fields.append((field.number, .varint(value)))
            case .bytes(let value): fields.append((field.number, .bytes(value.data)))
            default: throw Malformed(description: "field \(field.number) has a fixed-size wire type, which Kubernetes objects do not use")
            }
        }
        self.fields = fields
    }

    /// Every value written for field `number`.
    func all(_ number: Int) -> [Value] {
        fields.filter { $0.number == number }.map(\.value)
    }

    func has(_ number: Int) -> Bool {
        fields.contains { $0.number == number }
    }

    func varint(_ number: Int) -> UInt64? {
        for case .varint(let value) in all(number) { return value }
        return nil
    }

    func bytes(_ number: Int) -> Data? {
        for case .bytes(let value) in all(number) { return value }
        return nil
    }

    func string(_ number: Int) -> String? {
        bytes(number).map { String(decoding: $0, as: UTF8.self) }
    }

    func strings(_ number: Int) -> [String] {
        all(number).compactMap { if case .bytes(let data) = $0 { String(decoding: data, as: UTF8.self) } else { nil } }
    }

    func message(_ number: Int) throws -> ProtobufMessage? {
        try bytes(number).map(ProtobufMessage.init)
    }

    func messages(_ number: Int) throws -> [ProtobufMessage] {
        try all(number).compactMap { if case .bytes(let data) = $0 { try ProtobufMessage(data) } else { nil } }
    }

    /// A `map<string, bytes|string>` field: entries with the key in field 1 and the value in field 2.
    func map(_ number: Int) throws -> [String: Data] {
        var out: [String: Data] = [:]
        for entry in try messages(number) {
            out[entry.string(1) ?? ""] = entry.bytes(2) ?? Data()
        }
        return out
    }
}

/// What kube-apiserver writes for `application/vnd.kubernetes.protobuf`: the `k8s\0` magic and a
/// runtime.Unknown {typeMeta {apiVersion = 1, kind = 2} = 1, raw = 2, contentEncoding = 3, contentType = 4}.
struct KubernetesProtobufAnswer {
    let apiVersion: String
    let kind: String
    let object: ProtobufMessage
    /// runtime.Unknown's contentEncoding and contentType, written even when empty.
    let contentEncoding: String?
    let contentType: String?

    init(_ data: Data) throws {
        guard data.starts(with: [0x6B, 0x38, 0x73, 0x00]) else {
            throw ProtobufMessage.Malformed(description: "no k8s\\0 magic: \(data.prefix(16).map { String(format: "%02x", $0) }.joined())")
        }
        let unknown = try ProtobufMessage(data.dropFirst(4))
        let typeMeta = try unknown.message(1) ?? ProtobufMessage(Data())
        apiVersion = typeMeta.string(1) ?? ""
        kind = typeMeta.string(2) ?? ""
        object = try ProtobufMessage(unknown.bytes(2) ?? Data())
        contentEncoding = unknown.string(3)
        contentType = unknown.string(4)
    }
}
