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

    /// The DER of every block with `label`, in order.
    static func decode(_ text: String, label: String) -> [Data]? {
        var blocks: [Data] = []
        let begin = "-----BEGIN \(label)-----", end = "-----END \(label)-----"
        var rest = Substring(text)
        while let start = rest.range(of: begin) {
            guard let stop = rest.range(of: end, range: start.upperBound..<rest.endIndex) else { return nil }
            // Line breaks and spaces are skipped by the decoder itself (walking Characters is slow).
            guard let der = Data(base64Encoded: String(rest[start.upperBound..<stop.lowerBound]), options: .ignoreUnknownCharacters), !der.isEmpty else { return nil }
            blocks.append(der)
            rest = rest[stop.upperBound...]
        }
        return blocks
    }
}
