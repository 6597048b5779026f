import CertCore
import Foundation
import Testing

/// The timestamps written without a formatter read exactly as Foundation's ISO 8601 formatter
/// writes them, over dates spread across the years a certificate may name.
@Suite struct RFC3339FormattingTests {
    @Test func secondsAndDaysAreWhatTheISO8601FormatterWrites() {
        var generator = SeededGenerator(seed: 3339)
        let full = ISO8601DateFormatter()
        let days = ISO8601DateFormatter()
        days.formatOptions = [.withFullDate]
        // 1950 (UTCTime's first year) to 9999 (GeneralizedTime's last), plus the edges.
        let edges: [TimeInterval] = [-631_152_000, 0, -1, 951_782_400, 4_107_542_399, 253_402_300_799]
        let dates = edges.map(Date.init(timeIntervalSince1970:))
            + (0..<2000).map { _ in Date(timeIntervalSince1970: TimeInterval(Int64.random(in: -631_152_000...253_402_300_799, using: &generator))) }
        for date in dates {
            #expect(RFC3339.string(date) == full.string(from: date), "\(date.timeIntervalSince1970)")
            #expect(RFC3339.day(date) == days.string(from: date), "\(date.timeIntervalSince1970)")
            #expect(RFC3339.parse(RFC3339.string(date)) == date)
        }
    }

    @Test func microTimeKeepsSixDigitsOfTheSecond() {
        let date = Date(timeIntervalSince1970: 1_764_626_703.123456)
        #expect(RFC3339.microTime(date).hasPrefix("2025-12-01T22:05:03.12345"))
        #expect(RFC3339.microTime(date).hasSuffix("Z") && RFC3339.microTime(date).count == 27)
    }
}
