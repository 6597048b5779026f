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

    /// UTC to the second, e.g. 2026-12-01T22:05:03Z (what ISO8601DateFormatter writes by
    /// default, without creating one: a formatter costs more than a thousand of these).
    public static func string(_ date: Date) -> String {
        let time = brokenDown(date)
        return day(time) + "T" + pad(time.tm_hour, 2) + ":" + pad(time.tm_min, 2) + ":" + pad(time.tm_sec, 2) + "Z"
    }

    /// The UTC date alone, e.g. 2026-12-01.
    public static func day(_ date: Date) -> String {
        day(brokenDown(date))
    }

    /// Kubernetes' MicroTime: UTC with six fractional digits, e.g. 2026-12-01T22:05:03.123456Z.
    public static func microTime(_ date: Date) -> String {
        let seconds = date.timeIntervalSince1970.rounded(.down)
        let micros = Int(((date.timeIntervalSince1970 - seconds) * 1_000_000).rounded(.down))
        return String(string(Date(timeIntervalSince1970: seconds)).dropLast()) + "." + pad(Int32(min(micros, 999_999)), 6) + "Z"
    }

    private static func brokenDown(_ date: Date) -> tm {
        // Bounded to what gmtime takes (years 0001-9999).
        var seconds = time_t(max(-62_135_596_800, min(date.timeIntervalSince1970.rounded(.down), 253_402_300_799)))
        var time = tm()
        gmtime_r(&seconds, &time)
        return time
    }

    private static func day(_ time: tm) -> String {
        pad(time.tm_year + 1900, 4) + "-" + pad(time.tm_mon + 1, 2) + "-" + pad(time.tm_mday, 2)
    }

    private static func pad(_ value: Int32, _ width: Int) -> String {
        let digits = String(value)
        return String(repeating: "0", count: max(0, width - digits.count)) + digits
    }
}
