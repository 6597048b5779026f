import Foundation

/// A reader of protobuf's wire format, just enough to check kube-test-server's protobuf answers
/// field by field: each field's number with its varint or its bytes (a nested message, a string,
/// a map entry). Kept apart from the server's Python encoder so that the two check each other.
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
        let bytes = [UInt8](data)
        var fields: [(number: Int, value: Value)] = []
        var index = 0
        func readVarint() throws -> UInt64 {
            var result: UInt64 = 0
            var shift: UInt64 = 0
            while true {
                guard index < bytes.count, shift < 64 else { throw Malformed(description: "a varint runs past the end") }
                let byte = bytes[index]
                index += 1
                result |= UInt64(byte & 0x7F) << shift
                if byte & 0x80 == 0 { return result }
                shift += 7
            }
        }
        while index < bytes.count {
            let key = try readVarint()
            let number = Int(key >> 3)
            switch key & 7 {
            case 0:
                fields.append((number, .varint(try readVarint())))
            case 2:
                let length = Int(try readVarint())
                guard length <= bytes.count - index else {
                    throw Malformed(description: "field \(number) is \(length) bytes long, \(bytes.count - index) are left")
                }
                fields.append((number, .bytes(Data(bytes[index..<index + length]))))
                index += length
            case let wire:
                throw Malformed(description: "field \(number) has wire type \(wire), which Kubernetes objects do not use")
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
