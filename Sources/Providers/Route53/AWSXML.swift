internal import Foundation

/// The XML that Route 53 (restXml) and STS (query protocol) answer with, read into a small tree.
///
/// A reader of its own rather than Foundation's XMLParser: FoundationXML would add libxml2 to the
/// plugin's runtime dependencies for a handful of flat documents. It reads elements, text,
/// character and the five predefined entity references, CDATA, comments and the declaration;
/// it refuses DOCTYPEs (no entity expansion) and stops at a bounded depth.
struct AWSXML: Sendable, Equatable {
    /// The local name (`ns:Name` → `Name`).
    var name: String
    var children: [AWSXML] = []
    /// The element's own text, entity references resolved.
    var text: String = ""

    struct Malformed: Error {
        var reason: String
    }

    /// The first child named `name`.
    func child(_ name: String) -> AWSXML? {
        children.first { $0.name == name }
    }

    /// Every child named `name`.
    func children(_ name: String) -> [AWSXML] {
        children.filter { $0.name == name }
    }

    /// The text of the element at `path` below this one (`["ChangeInfo", "Status"]`).
    func text(_ path: String...) -> String? {
        var element: AWSXML? = self
        for name in path { element = element?.child(name) }
        return element?.text.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// The first element named `name` anywhere in this tree (this one included), depth first.
    func first(_ name: String) -> AWSXML? {
        if self.name == name { return self }
        for child in children {
            if let found = child.first(name) { return found }
        }
        return nil
    }

    /// `&`, `<`, `>`, `"` and `'` escaped, for text and attribute values in a request body.
    static func escaped(_ text: String) -> String {
        var result = ""
        for character in text {
            switch character {
            case "&": result += "&amp;"
            case "<": result += "&lt;"
            case ">": result += "&gt;"
            case "\"": result += "&quot;"
            case "'": result += "&apos;"
            default: result.append(character)
            }
        }
        return result
    }

    /// Parses a whole document; its root element is returned.
    static func parse(_ data: Data) throws(Malformed) -> AWSXML {
        var reader = Reader(bytes: Array(data))
        return try reader.document()
    }

    private struct Reader {
        let bytes: [UInt8]
        var index = 0
        static let maximumDepth = 64

        init(bytes: [UInt8]) {
            self.bytes = bytes
        }

        mutating func document() throws(Malformed) -> AWSXML {
            try skipMisc()
            guard peek("<") else { throw Malformed(reason: "no root element") }
            let root = try element(depth: 0)
            try skipMisc()
            guard index == bytes.count else { throw Malformed(reason: "text after the root element") }
            return root
        }

        /// Whitespace, comments and processing instructions (the `<?xml …?>` declaration).
        mutating func skipMisc() throws(Malformed) {
            while true {
                while index < bytes.count, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[index]) { index += 1 }
                if peek("<?") {
                    try skip(past: "?>")
                } else if peek("<!--") {
                    try skip(past: "-->")
                } else if peek("<!") {
                    throw Malformed(reason: "a DOCTYPE or other declaration, which AWS never sends")
                } else {
                    return
                }
            }
        }

        func peek(_ text: String) -> Bool {
            let wanted = Array(text.utf8)
            return index + wanted.count <= bytes.count && Array(bytes[index..<(index + wanted.count)]) == wanted
        }

        mutating func skip(past end: String) throws(Malformed) {
            let wanted = Array(end.utf8)
            while index + wanted.count <= bytes.count {
                if Array(bytes[index..<(index + wanted.count)]) == wanted {
                    index += wanted.count
                    return
                }
                index += 1
            }
            throw Malformed(reason: "unterminated markup (no \(end))")
        }

        /// `<Name attr="…">content</Name>` or `<Name/>`, with `index` at its `<`.
        mutating func element(depth: Int) throws(Malformed) -> AWSXML {
            guard depth < Self.maximumDepth else { throw Malformed(reason: "nested deeper than \(Self.maximumDepth) elements") }
            index += 1
            let qualified = name()
            guard !qualified.isEmpty else { throw Malformed(reason: "an element without a name") }
            // Attributes are skipped: quoted values may hold `>`.
            var quote: UInt8?
            while index < bytes.count {
                let byte = bytes[index]
                if let open = quote {
                    if byte == open { quote = nil }
                } else if byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "'") {
                    quote = byte
                } else if byte == UInt8(ascii: ">") {
                    break
                }
                index += 1
            }
            guard index < bytes.count else { throw Malformed(reason: "unterminated tag <\(qualified)") }
            var element = AWSXML(name: qualified.split(separator: ":").last.map(String.init) ?? qualified)
            if bytes[index - 1] == UInt8(ascii: "/") {
                index += 1
                return element
            }
            index += 1
            // Text is resolved run by run: a CDATA section in between is taken as it is.
            var pending: [UInt8] = []
            while index < bytes.count {
                guard bytes[index] == UInt8(ascii: "<") else {
                    pending.append(bytes[index])
                    index += 1
                    continue
                }
                element.text += try Self.resolved(pending)
                pending = []
                if peek("</") {
                    index += 2
                    let closing = name()
                    guard closing == qualified else { throw Malformed(reason: "<\(qualified)> closed by </\(closing)>") }
                    while index < bytes.count, bytes[index] != UInt8(ascii: ">") { index += 1 }
                    guard index < bytes.count else { throw Malformed(reason: "unterminated </\(closing)") }
                    index += 1
                    return element
                } else if peek("<![CDATA[") {
                    index += 9
                    let start = index
                    try skip(past: "]]>")
                    element.text += String(decoding: bytes[start..<(index - 3)], as: UTF8.self)
                } else if peek("<!--") {
                    try skip(past: "-->")
                } else if peek("<?") {
                    try skip(past: "?>")
                } else {
                    element.children.append(try self.element(depth: depth + 1))
                }
            }
            throw Malformed(reason: "<\(qualified)> is never closed")
        }

        mutating func name() -> String {
            let start = index
            while index < bytes.count, !([0x20, 0x09, 0x0A, 0x0D, UInt8(ascii: ">"), UInt8(ascii: "/")].contains(bytes[index])) { index += 1 }
            return String(decoding: bytes[start..<index], as: UTF8.self)
        }

        /// Text with `&name;` and `&#…;` references resolved.
        static func resolved(_ bytes: [UInt8]) throws(Malformed) -> String {
            guard bytes.contains(UInt8(ascii: "&")) else { return String(decoding: bytes, as: UTF8.self) }
            var result = ""
            var run: [UInt8] = []
            var index = 0
            while index < bytes.count {
                guard bytes[index] == UInt8(ascii: "&") else {
                    run.append(bytes[index])
                    index += 1
                    continue
                }
                guard let end = bytes[index...].firstIndex(of: UInt8(ascii: ";")), end - index <= 10 else {
                    throw Malformed(reason: "an unterminated entity reference")
                }
                result += String(decoding: run, as: UTF8.self)
                run = []
                let reference = String(decoding: bytes[(index + 1)..<end], as: UTF8.self)
                switch reference {
                case "lt": result += "<"
                case "gt": result += ">"
                case "amp": result += "&"
                case "quot": result += "\""
                case "apos": result += "'"
                default:
                    let number: UInt32?
                    if reference.hasPrefix("#x") || reference.hasPrefix("#X") {
                        number = UInt32(reference.dropFirst(2), radix: 16)
                    } else if reference.hasPrefix("#") {
                        number = UInt32(reference.dropFirst())
                    } else {
                        number = nil
                    }
                    guard let number, let scalar = Unicode.Scalar(number) else {
                        throw Malformed(reason: "an unknown entity &\(reference);")
                    }
                    result.unicodeScalars.append(scalar)
                }
                index = end + 1
            }
            return result + String(decoding: run, as: UTF8.self)
        }
    }
}
