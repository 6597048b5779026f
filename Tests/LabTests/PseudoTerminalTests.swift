import Foundation
import TestSupport
import Testing

/// The test harness's pseudo-terminal: a wait that wakes up after its deadline (a test task held
/// back by a busy machine) still sees what was printed before it.
@Suite(.lab) struct PseudoTerminalTests {
    @Test func textPrintedBeforeALateWakeUpIsFound() async throws {
        let terminal = try PseudoTerminal("printf 'ready-%s\\n' 7c1e; sleep 30")
        #expect(await terminal.waitFor("ready-7c1e") != nil)
        // A wait whose deadline has already passed when it first looks: the text is there.
        #expect(await terminal.waitFor("ready-7c1e", within: .zero) != nil, "\(terminal.output)")
        #expect(await terminal.waitFor("never-printed", within: .zero) == nil)
    }
}
