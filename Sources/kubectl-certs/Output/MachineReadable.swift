import Foundation
import Yams

/// `-o json` and `-o yaml`: pretty, keys sorted, dates in ISO 8601; YAML is made through JSON,
/// so its field names and dates are exactly those of `-o json`.
enum MachineReadable {
    static func json<T: Encodable>(_ value: T) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        return String(decoding: try encoder.encode(value), as: UTF8.self) + "\n"
    }

    static func yaml<T: Encodable>(_ value: T) throws -> String {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        return try Yams.dump(object: try JSONSerialization.jsonObject(with: try encoder.encode(value)), sortKeys: true)
    }
}
