import CertCore
import Foundation
import Yams

/// `-o json` and `-o yaml`: pretty, keys sorted, dates in ISO 8601; YAML is made through JSON,
/// so its field names and dates are exactly those of `-o json`.
enum MachineReadable {
    static func json<T: Encodable>(_ value: T) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = timestamps
        return String(decoding: try encoder.encode(value), as: UTF8.self) + "\n"
    }

    /// ISO 8601 in UTC to the second, as `.iso8601` writes them, without a formatter per date.
    private static let timestamps = JSONEncoder.DateEncodingStrategy.custom { date, encoder in
        var container = encoder.singleValueContainer()
        try container.encode(RFC3339.string(date))
    }

    static func yaml<T: Encodable>(_ value: T) throws -> String {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = timestamps
        return try Yams.dump(object: try JSONSerialization.jsonObject(with: try encoder.encode(value)), sortKeys: true)
    }
}
