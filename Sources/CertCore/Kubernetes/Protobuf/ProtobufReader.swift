public import Foundation

/// Reads protocol buffers' wire format (varints, length-delimited fields, fixed 32 and 64 bit
/// values) field by field, without a schema: the caller picks the fields it wants by number and
/// skips the rest. Every length is checked against what is left, so a truncated or corrupt
/// message is an error, never a read out of bounds.
public struct ProtobufReader {
    /// One field: its number and its value as the wire carries it.
    public struct Field {
        public var number: Int
        public var value: Value
    }

    public enum Value {
        case varint(UInt64)
        case bytes(ProtobufReader)
        case fixed64(UInt64)
        case fixed32(UInt32)
    }

    public struct Malformed: Error, CustomStringConvertible {
        public var description: String
    }

    private let bytes: [UInt8]
    private var position: Int
    private let end: Int

    public init(_ data: Data) {
        self.bytes = [UInt8](data)
        self.position = 0
        self.end = bytes.count
    }

    private init(bytes: [UInt8], range: Range<Int>) {
        self.bytes = bytes
        self.position = range.lowerBound
        self.end = range.upperBound
    }

    public var isAtEnd: Bool { position >= end }

    /// The next field, or nil at the end of the message.
    public mutating func next() throws(Malformed) -> Field? {
        guard position < end else { return nil }
        let key = try varint()
        let number = Int(key >> 3)
        guard number > 0 else { throw Malformed(description: "a field numbered 0 at byte \(position)") }
        switch key & 7 {
        case 0:
            return Field(number: number, value: .varint(try varint()))
        case 1:
            return Field(number: number, value: .fixed64(try fixed(8)))
        case 2:
            let length = try varint()
            guard length <= UInt64(end - position) else {
                throw Malformed(description: "field \(number) claims \(length) bytes where \(end - position) are left")
            }
            let range = position..<(position + Int(length))
            position = range.upperBound
            return Field(number: number, value: .bytes(ProtobufReader(bytes: bytes, range: range)))
        case 5:
            return Field(number: number, value: .fixed32(UInt32(try fixed(4))))
        case let wire:
            throw Malformed(description: "field \(number) has wire type \(wire), which Kubernetes never sends")
        }
    }

    private mutating func varint() throws(Malformed) -> UInt64 {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        while position < end, shift < 64 {
            let byte = bytes[position]
            position += 1
            result |= UInt64(byte & 0x7f) << shift
            if byte & 0x80 == 0 { return result }
            shift += 7
        }
        throw Malformed(description: "a varint runs past the end of its message")
    }

    private mutating func fixed(_ count: Int) throws(Malformed) -> UInt64 {
        guard end - position >= count else { throw Malformed(description: "a fixed-size value runs past the end of its message") }
        var result: UInt64 = 0
        for index in 0..<count { result |= UInt64(bytes[position + index]) << (8 * UInt64(index)) }
        position += count
        return result
    }

    /// The remaining bytes as UTF-8 text (a `string` field's value).
    public var string: String {
        bytes.withUnsafeBufferPointer { String(decoding: UnsafeBufferPointer(rebasing: $0[position..<end]), as: UTF8.self) }
    }

    /// The remaining bytes (a `bytes` field's value).
    public var data: Data {
        bytes.withUnsafeBufferPointer { Data(buffer: UnsafeBufferPointer(rebasing: $0[position..<end])) }
    }
}

extension ProtobufReader.Value {
    /// The nested message or text of a length-delimited field; nil for other wire types.
    public var message: ProtobufReader? {
        if case .bytes(let reader) = self { return reader }
        return nil
    }

    public var string: String? { message?.string }

    public var integer: Int64? {
        if case .varint(let value) = self { return Int64(bitPattern: value) }
        return nil
    }
}
