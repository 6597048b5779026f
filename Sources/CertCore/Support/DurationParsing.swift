import Foundation

extension Duration {
    /// The longest duration any setting takes: a hundred years.
    public static let longestSetting = Duration.seconds(100 * 365 * 86400)

    /// Parses a duration as kubectl and Go write them: `300ms`, `30s`, `5m`, `1h30m`, `2h`;
    /// a bare number is seconds. Negative values, values that are not finite and values over
    /// a hundred years are refused.
    public init(parsing text: String) throws(DurationParseError) {
        let text = text.trimmingCharacters(in: .whitespaces)
        guard !text.isEmpty else { throw DurationParseError(text: text) }
        var total: Double = 0
        if let seconds = Double(text) {
            guard seconds >= 0, seconds.isFinite else { throw DurationParseError(text: text) }
            total = seconds
        } else {
            var rest = Substring(text)
            while !rest.isEmpty {
                let number = rest.prefix { $0.isNumber || $0 == "." }
                guard let value = Double(number), value.isFinite else { throw DurationParseError(text: text) }
                rest = rest.dropFirst(number.count)
                let unit = rest.prefix { $0.isLetter }
                rest = rest.dropFirst(unit.count)
                let scale: Double
                switch unit {
                case "ms": scale = 0.001
                case "s": scale = 1
                case "m": scale = 60
                case "h": scale = 3600
                case "d": scale = 86400
                default: throw DurationParseError(text: text)
                }
                total += value * scale
            }
        }
        // Checked before any conversion to an integer, which would trap on a huge value.
        guard total.isFinite, total <= Self.longestSetting.seconds else { throw DurationParseError(text: text, tooLong: true) }
        self = .milliseconds(Int64((total * 1000).rounded()))
    }

    /// The duration in whole milliseconds (what libcurl's timeouts take), `Int.max` for
    /// durations longer than that can say.
    var milliseconds: Int {
        let (whole, overflow) = components.seconds.multipliedReportingOverflow(by: 1000)
        let (sum, overflowAgain) = whole.addingReportingOverflow(components.attoseconds / 1_000_000_000_000_000)
        guard !overflow, !overflowAgain, let value = Int(exactly: sum) else { return components.seconds < 0 ? Int.min : Int.max }
        return value
    }

    /// The duration as a flag takes it: `30s`, `1500ms`.
    public var shortText: String {
        let milliseconds = milliseconds
        return milliseconds % 1000 == 0 ? "\(milliseconds / 1000)s" : "\(milliseconds)ms"
    }

    /// The duration in seconds, as a floating-point number.
    public var seconds: Double {
        let parts = components
        return Double(parts.seconds) + Double(parts.attoseconds) / 1e18
    }
}

public struct DurationParseError: Error, CustomStringConvertible, Sendable {
    public var text: String
    /// The text is a duration, but longer than any setting takes.
    public var tooLong = false

    public var description: String {
        tooLong
            ? "\"\(text)\" is too long: a duration may be at most 100 years (876000h)"
            : "\"\(text)\" is not a duration: write it like 30s, 5m, 1h30m or 500ms"
    }
}
