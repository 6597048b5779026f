import Foundation
import TestSupport
import Testing

/// Progress of several renewals at once: on a terminal, one live line per name of the
/// certificates in flight, redrawn in place; elsewhere, plain lines that say which
/// certificate each is about.
@Suite(.lab) struct RenewProgressTests {
    @Test func aTerminalSeesEveryNameMoveAndALogSeesWhoseStepItIs_AgainstLab() async throws {
        let lab = try IssueLab()
        let namespace = try await lab.namespace()
        let names = (0..<2).map { "\(IssueLab.label())-\($0).\(lab.zone)" }
        for (index, name) in names.enumerated() {
            #expect(try await lab.issue(["-d", name, "--secret", "live-\(index)", "-n", namespace, "--dns", "rfc2136"]).status == 0)
        }
        let command = (["kubectl", "certs", "renew", "-n", namespace, "--within", "50000h"] + lab.renewFlags).joined(separator: " ")
        let terminal = try PseudoTerminal(command, environment: lab.environment.filter { $0.key != "NO_COLOR" })
        #expect(await terminal.exitStatus() == 0, "\(terminal.output)")
        let output = terminal.output
        #expect(output.contains("\u{1B}["), "the board is redrawn in place")
        for name in names {
            #expect(output.contains("  \(name)  "), "a live line for \(name): \(output)")
        }
        #expect(output.contains("renewed"))

        // Not a terminal: each step's line names its certificate.
        let plain = try await lab.renew(["-n", namespace, "--within", "50000h"])
        #expect(plain.status == 0, "\(plain.stderr)")
        #expect(!plain.stderr.contains("\u{1B}["))
        for index in 0..<2 {
            #expect(plain.stderr.contains("\(namespace)/live-\(index): stored in Secret \(namespace)/live-\(index)"), "\(plain.stderr)")
        }
    }
}
