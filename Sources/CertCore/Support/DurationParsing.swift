import Foundation

extension Duration {
    /// Parses a duration as kubectl and Go write them: `300ms`, `30s`, `5m`, `1h30m`, `2h`;
    /// a bare number is seconds. Negative values are refused.
    public init(parsing text: String) throws(DurationParseError) {
        let text = text.trimmingCharacters(in: .whitespaces)
        guard !text.isEmpty else { throw DurationParseError(text: text) }
        if let seconds = Double(text) {
            guard seconds >= 0, seconds.isFinite else { throw DurationParseError(text: text) }
            self = .milliseconds(Int64((seconds * 1000).rounded()))
            return
        }
        var total: Double = 0
        var rest = Substring(text)
        while !rest.isEmpty {
            let number = rest.prefix { $0.isNumber || $0 == "." }
            guard let value = Double(number) else { throw DurationParseError(text: text) }
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
        self = .milliseconds(Int64((total * 1000).rounded()))
    }

    /// The duration in whole milliseconds (what libcurl's timeouts take).
    var milliseconds: Int {
        Int(components.seconds * 1000 + components.attoseconds / 1_000_000_000_000_000)
    }

    /// The duration in seconds, as a floating-point number.
    public var seconds: Double {
        let parts = components
        return Double(parts.seconds) + Double(parts.attoseconds) / 1e18
    }
}

public struct DurationParseError: Error, CustomStringConvertible, Sendable {
    public var text: String
    public var description: String {
        "\"\(text)\" is not a duration: write it like 30s, 5m, 1h30m or 500ms"
    }
}
