public import Foundation

/// RFC 3339 timestamps as ACME and Kubernetes servers write them, with or without
/// fractional seconds (of any precision).
public enum RFC3339 {
    public static func parse(_ text: String) -> Date? {
        let plain = ISO8601DateFormatter()
        if let date = plain.date(from: text) { return date }
        let fractional = ISO8601DateFormatter()
        fractional.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        if let date = fractional.date(from: text) { return date }
        // Nanosecond precision (Go servers) is more than the formatter takes: cut to milliseconds.
        if let dot = text.firstIndex(of: "."), let zone = text[dot...].firstIndex(where: { $0 == "Z" || $0 == "+" || $0 == "-" }) {
            let digits = text[text.index(after: dot)..<zone].prefix(3)
            return fractional.date(from: String(text[..<dot]) + "." + digits + String(text[zone...]))
        }
        return nil
    }

    /// Kubernetes' MicroTime: UTC with six fractional digits, e.g. 2026-12-01T22:05:03.123456Z.
    public static func microTime(_ date: Date) -> String {
        let seconds = date.timeIntervalSince1970.rounded(.down)
        let micros = Int(((date.timeIntervalSince1970 - seconds) * 1_000_000).rounded(.down))
        let whole = ISO8601DateFormatter().string(from: Date(timeIntervalSince1970: seconds))
        return String(whole.dropLast()) + String(format: ".%06dZ", min(micros, 999_999))
    }
}
