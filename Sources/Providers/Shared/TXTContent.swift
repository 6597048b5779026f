/// TXT record contents as APIs write them.
public enum TXTContent {
    /// `"value"` → `value`; challenge values hold no quotes or escapes, so nothing else is undone.
    public static func unquoted(_ content: String) -> String {
        content.count >= 2 && content.hasPrefix("\"") && content.hasSuffix("\"") ? String(content.dropFirst().dropLast()) : content
    }
}
