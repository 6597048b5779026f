import Foundation

/// PEM armour (RFC 7468).
enum PEM {
    static func encode(_ der: Data, label: String) -> String {
        let base64 = der.base64EncodedString()
        var lines: [Substring] = []
        var rest = Substring(base64)
        while !rest.isEmpty {
            lines.append(rest.prefix(64))
            rest = rest.dropFirst(64)
        }
        return "-----BEGIN \(label)-----\n" + lines.joined(separator: "\n") + "\n-----END \(label)-----\n"
    }

    /// The DER of every block with `label`, in order; nil when a block has no END line or is
    /// not base64. The markers are looked for in the UTF-8 bytes (Foundation's string search
    /// was most of the cost of reading 10,000 Secrets).
    static func decode(_ text: String, label: String) -> [Data]? {
        let begin = Array("-----BEGIN \(label)-----".utf8), end = Array("-----END \(label)-----".utf8)
        var text = text
        return text.withUTF8 { bytes -> [Data]? in
            var blocks: [Data] = []
            var position = 0
            while let start = find(begin, in: bytes, from: position) {
                let bodyStart = start + begin.count
                guard let stop = find(end, in: bytes, from: bodyStart) else { return nil }
                // Line breaks and spaces are skipped by the decoder itself.
                let body = Data(UnsafeBufferPointer(rebasing: bytes[bodyStart..<stop]))
                guard let der = Data(base64Encoded: body, options: .ignoreUnknownCharacters), !der.isEmpty else { return nil }
                blocks.append(der)
                position = stop + end.count
            }
            return blocks
        }
    }

    /// Where `needle` first occurs in `bytes` at or after `from`.
    private static func find(_ needle: [UInt8], in bytes: UnsafeBufferPointer<UInt8>, from: Int) -> Int? {
        guard let first = needle.first, bytes.count - from >= needle.count else { return nil }
        var index = from
        while index <= bytes.count - needle.count {
            if bytes[index] == first, needle.indices.allSatisfy({ bytes[index + $0] == needle[$0] }) { return index }
            index += 1
        }
        return nil
    }
}
