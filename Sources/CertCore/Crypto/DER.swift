import Foundation

/// Reading and writing DER (ITU-T X.690, distinguished encoding rules) element by element,
/// for the few structures read here without OpenSSL's full decoders: certificates and private
/// keys. Every length is checked against the bytes that are there; a malformed encoding is a
/// `CryptoError`, never a read out of bounds.
enum DER {
    /// The identifier octets used here (universal class unless noted).
    enum Tag {
        static let boolean: UInt8 = 0x01
        static let integer: UInt8 = 0x02
        static let bitString: UInt8 = 0x03
        static let octetString: UInt8 = 0x04
        static let null: UInt8 = 0x05
        static let objectIdentifier: UInt8 = 0x06
        static let utcTime: UInt8 = 0x17
        static let generalizedTime: UInt8 = 0x18
        static let sequence: UInt8 = 0x30

        /// `[number]` context-specific, constructed (EXPLICIT tagging, or IMPLICIT of a SEQUENCE).
        static func explicit(_ number: UInt8) -> UInt8 { 0xA0 | number }
        /// `[number]` context-specific, primitive (IMPLICIT tagging of a primitive type).
        static func implicit(_ number: UInt8) -> UInt8 { 0x80 | number }
    }

    /// One tag-length-value element, as positions in the bytes it was read from.
    struct Element {
        let tag: UInt8
        /// The whole encoding, identifier and length octets included.
        let encoding: Range<Int>
        let contents: Range<Int>
    }

    /// Walks the elements of one level of an encoding, front to back.
    struct Reader {
        let bytes: [UInt8]
        /// What is being read, for error messages ("the certificate").
        let subject: String
        private(set) var position: Int
        private let end: Int

        init(_ bytes: [UInt8], reading subject: String) {
            self.init(bytes, subject: subject, range: bytes.indices)
        }

        private init(_ bytes: [UInt8], subject: String, range: Range<Int>) {
            self.bytes = bytes
            self.subject = subject
            position = range.lowerBound
            end = range.upperBound
        }

        /// A reader of the elements inside `element` (a constructed one).
        func inside(_ element: Element) -> Reader {
            Reader(bytes, subject: subject, range: element.contents)
        }

        var isAtEnd: Bool { position == end }

        /// The identifier octet of the next element, without reading it.
        var nextTag: UInt8? { position < end ? bytes[position] : nil }

        /// The next element, whatever its tag.
        mutating func next(_ what: String) throws(CryptoError) -> Element {
            guard position < end else { throw error("\(what) is missing") }
            let start = position
            let tag = bytes[position]
            guard tag & 0x1F != 0x1F else { throw error("\(what) has a multi-byte tag, which no field here uses") }
            guard position + 1 < end else { throw error("\(what) is cut off after its tag") }
            let first = bytes[position + 1]
            var cursor = position + 2
            let length: Int
            if first < 0x80 {
                length = Int(first)
            } else {
                let count = Int(first & 0x7F)
                guard count != 0 else { throw error("\(what) has an indefinite length, which DER does not allow") }
                guard count <= 4 else { throw error("\(what) has a length of \(count) bytes, more than any certificate or key needs") }
                guard cursor + count <= end else { throw error("\(what) is cut off inside its length") }
                var value = 0
                for byte in bytes[cursor..<cursor + count] { value = value << 8 | Int(byte) }
                guard value >= 0x80, bytes[cursor] != 0 else { throw error("\(what) has a length in more bytes than it needs, which DER does not allow") }
                cursor += count
                length = value
            }
            guard length <= end - cursor else { throw error("\(what) claims \(length) bytes but only \(end - cursor) follow") }
            position = cursor + length
            return Element(tag: tag, encoding: start..<position, contents: cursor..<position)
        }

        /// The next element, which must have tag `tag`.
        mutating func read(_ tag: UInt8, _ what: String) throws(CryptoError) -> Element {
            guard let found = nextTag else { throw error("\(what) is missing") }
            guard found == tag else { throw error("\(what) has tag \(String(format: "0x%02X", found)) where \(String(format: "0x%02X", tag)) belongs") }
            return try next(what)
        }

        /// The next element when it has tag `tag`; nil (nothing read) when another or none follows.
        mutating func readIfPresent(_ tag: UInt8, _ what: String) throws(CryptoError) -> Element? {
            nextTag == tag ? try next(what) : nil
        }

        /// Fails unless every byte of this level has been read.
        func expectEnd(_ what: String) throws(CryptoError) {
            guard position == end else { throw error("\(end - position) unexpected bytes follow \(what)") }
        }

        /// An INTEGER, checked as DER wants it: at least one byte, and no needless leading
        /// 0x00 or 0xFF byte.
        mutating func readInteger(_ what: String) throws(CryptoError) -> Element {
            let element = try read(Tag.integer, what)
            guard DER.isMinimalInteger(bytes[element.contents]) else { throw error("\(what) is not a minimal DER INTEGER") }
            return element
        }

        /// An OBJECT IDENTIFIER, checked as OpenSSL checks one: not empty, no sub-identifier
        /// padded with a leading 0x80, none cut off at the end.
        mutating func readObjectIdentifier(_ what: String) throws(CryptoError) -> Element {
            let element = try read(Tag.objectIdentifier, what)
            let contents = bytes[element.contents]
            guard let last = contents.last, last & 0x80 == 0 else { throw error("\(what) is not a valid OBJECT IDENTIFIER") }
            var startsSubidentifier = true
            for byte in contents {
                guard !(startsSubidentifier && byte == 0x80) else { throw error("\(what) is not a valid OBJECT IDENTIFIER") }
                startsSubidentifier = byte & 0x80 == 0
            }
            return element
        }

        /// A BIT STRING: at least the byte that counts unused bits, which is at most 7.
        mutating func readBitString(_ what: String, tag: UInt8 = Tag.bitString) throws(CryptoError) -> Element {
            let element = try read(tag, what)
            guard let unused = bytes[element.contents].first, unused <= 7 else { throw error("\(what) is not a valid BIT STRING") }
            return element
        }

        /// An AlgorithmIdentifier: SEQUENCE { OBJECT IDENTIFIER, parameters ANY OPTIONAL }.
        mutating func readAlgorithm(_ what: String) throws(CryptoError) -> (algorithm: Element, parameters: Element?) {
            var fields = inside(try read(Tag.sequence, what))
            let algorithm = try fields.readObjectIdentifier("the algorithm of \(what)")
            var parameters: Element?
            if !fields.isAtEnd {
                var copy = fields
                parameters = try fields.next("the parameters of \(what)")
                try copy.checkParameters("the parameters of \(what)")
            }
            try fields.expectEnd(what)
            return (algorithm, parameters)
        }

        /// Algorithm parameters are ANY; OpenSSL checks the contents of the universal types it
        /// knows. The kinds parameters take in certificates and keys are let through, checked
        /// as OpenSSL checks them; any other kind is refused.
        private mutating func checkParameters(_ what: String) throws(CryptoError) {
            switch nextTag {
            case Tag.null:
                guard try next(what).contents.isEmpty else { throw error("\(what) is a NULL that is not empty") }
            case Tag.objectIdentifier: _ = try readObjectIdentifier(what)
            case Tag.integer: _ = try readInteger(what)
            case Tag.boolean:
                guard try next(what).contents.count == 1 else { throw error("\(what) is a BOOLEAN that is not one byte long") }
            case Tag.octetString, Tag.sequence: _ = try next(what)
            default: throw error("\(what) are of a kind no certificate or key uses")
            }
        }

        func error(_ reason: String) -> CryptoError {
            CryptoError("\(subject) is not well-formed DER: \(reason)")
        }
    }

    /// Whether `contents` is an INTEGER's contents in DER: not empty, and the first nine bits
    /// not all equal.
    static func isMinimalInteger(_ contents: ArraySlice<UInt8>) -> Bool {
        guard let first = contents.first else { return false }
        guard contents.count > 1 else { return true }
        let second = contents[contents.startIndex + 1]
        return !(first == 0x00 && second & 0x80 == 0) && !(first == 0xFF && second & 0x80 != 0)
    }

    /// The encoding of an element with `tag` and `contents`.
    static func encode(_ tag: UInt8, _ contents: [UInt8]) -> [UInt8] {
        var output = [tag]
        let count = contents.count
        if count < 0x80 {
            output.append(UInt8(count))
        } else {
            var lengthBytes: [UInt8] = []
            var rest = count
            while rest > 0 {
                lengthBytes.insert(UInt8(rest & 0xFF), at: 0)
                rest >>= 8
            }
            output.append(0x80 | UInt8(lengthBytes.count))
            output += lengthBytes
        }
        return output + contents
    }
}
