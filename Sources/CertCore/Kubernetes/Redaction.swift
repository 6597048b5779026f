/// Hides what must never reach a log: Secret data, tokens, passwords, keys.
enum Redaction {
    static let placeholder = JSONValue.string("<redacted>")
    /// `kubectl apply` keeps the whole object it applied here, a Secret's values included.
    static let lastAppliedAnnotation = "kubectl.kubernetes.io/last-applied-configuration"

    /// The body with every Secret's `data`/`stringData` values, the last-applied annotation
    /// and every field whose name says it holds a credential replaced by a placeholder.
    ///
    /// An object counts as a Secret when it says so, and when it says no kind at all (list
    /// items, table rows): only an object known to be of another kind keeps its `data`.
    static func redact(_ value: JSONValue) -> JSONValue {
        redact(value, impliedKind: nil)
    }

    /// `impliedKind` is the kind of a list's items (`SecretList` → `Secret`).
    private static func redact(_ value: JSONValue, impliedKind: String?) -> JSONValue {
        switch value {
        case .object(var object):
            let kind = object["kind"]?.stringValue ?? impliedKind
            let mayBeSecret = kind == nil || kind == "Secret"
            let itemKind = kind.flatMap { $0.hasSuffix("List") && $0 != "List" ? String($0.dropLast("List".count)) : nil }
            for (key, member) in object {
                if mayBeSecret && (key == "data" || key == "stringData") {
                    object[key] = member.objectValue.map { .object($0.mapValues { _ in placeholder }) } ?? placeholder
                } else if key == "annotations", var annotations = member.objectValue {
                    if annotations[lastAppliedAnnotation] != nil { annotations[lastAppliedAnnotation] = placeholder }
                    object[key] = redact(.object(annotations), impliedKind: nil)
                } else if member.stringValue != nil && isSensitive(key) {
                    object[key] = placeholder
                } else {
                    object[key] = redact(member, impliedKind: key == "items" ? itemKind : nil)
                }
            }
            return .object(object)
        case .array(let items):
            return .array(items.map { redact($0, impliedKind: impliedKind) })
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
