@testable import kubectl_certs
import Foundation
import Testing

/// The width a picture may use when it is not on a terminal: COLUMNS when it is a positive
/// number, else 80.
@Suite struct TerminalWidthTests {
    @Test(arguments: [
        ("132", 132), ("1", 1), ("0", 80), ("-5", 80), ("wide", 80), ("", 80), ("99999999", 1000),
    ])
    func columnsFromTheEnvironment(value: String, columns: Int) throws {
        var ends: [Int32] = [0, 0]
        try #require(pipe(&ends) == 0)
        defer { ends.forEach { close($0) } }
        #expect(TerminalWidth.columns(of: ends[1], environment: ["COLUMNS": value]) == columns)
    }

    @Test func aPipeWithoutColumnsIsEightyWide() throws {
        var ends: [Int32] = [0, 0]
        try #require(pipe(&ends) == 0)
        defer { ends.forEach { close($0) } }
        #expect(TerminalWidth.columns(of: ends[1], environment: [:]) == 80)
    }
}
