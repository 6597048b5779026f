/// Hides what must never reach a log: Secret data, tokens, passwords, keys.
enum Redaction {
    static let placeholder = JSONValue.string("<redacted>")

    /// The body with every Secret's `data`/`stringData` values and every field whose name
    /// says it holds a credential replaced by a placeholder.
    static func redact(_ value: JSONValue) -> JSONValue {
        switch value {
        case .object(var object):
            let isSecret = object["kind"]?.stringValue == "Secret"
            for (key, member) in object {
                if isSecret && (key == "data" || key == "stringData"), let values = member.objectValue {
                    object[key] = .object(values.mapValues { _ in placeholder })
                } else if member.stringValue != nil && isSensitive(key) {
                    object[key] = placeholder
                } else {
                    object[key] = redact(member)
                }
            }
            return .object(object)
        case .array(let items):
            return .array(items.map(redact))
        default:
            return value
        }
    }

    static func isSensitive(_ key: String) -> Bool {
        let lowered = key.lowercased()
        return ["token", "password", "secret", "key", "authorization", "clientkeydata", "client-key-data"].contains { lowered.contains($0) }
            && !["keyid", "secretname", "keyalgorithm", "keysize", "keyencoding"].contains(lowered)
    }
}
