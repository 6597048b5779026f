import CertCore
import Testing

@Suite struct DurationParsingTests {
    @Test(arguments: [
        ("30s", 30.0), ("5m", 300), ("1h30m", 5400), ("500ms", 0.5), ("90", 90), ("0", 0), ("1.5s", 1.5), ("2d", 172_800),
    ])
    func parses(text: String, seconds: Double) throws {
        #expect(try Duration(parsing: text).seconds == seconds)
    }

    @Test(arguments: ["", "-5s", "5x", "m", "1h30", "abc"])
    func refuses(text: String) {
        #expect(throws: DurationParseError.self) { try Duration(parsing: text) }
    }
}
