import Foundation
import TestSupport
import Testing

/// `status` on a terminal paints each state — red Missing, Invalid and Expired, yellow
/// Expiring, green Valid — and paints nothing under NO_COLOR, --no-color or a pipe.
@Suite(.lab) struct StatusColourTests {
    static let escape = "\u{1B}["

    /// The table line of `name`, or nil.
    func line(_ name: String, in output: String) -> String? {
        output.split(separator: "\n").map(String.init).first { $0.contains(" \(name) ") }
    }

    @Test func aTerminalSeesEachStateInItsColour_AgainstKubeTestServer() async throws {
        let lab = try await StatusOutputLab.shared.value
        let (status, output) = try await lab.runOnTerminal(["status", "-n", lab.namespace])
        #expect(status == 0, "\(output)")
        let painted: [(String, String)] = [
            ("ingress/absent", "\u{1B}[31mMissing\u{1B}[0m"),
            ("secret/broken-tls", "\u{1B}[31mInvalid\u{1B}[0m"),
            ("secret/gone-tls", "\u{1B}[31mExpired\u{1B}[0m"),
            ("secret/soon-tls", "\u{1B}[33mExpiring\u{1B}[0m"),
            ("secret/healthy-tls", "\u{1B}[32mValid\u{1B}[0m"),
        ]
        for (name, state) in painted {
            let row = try #require(line(name, in: output), "a row for \(name) in:\n\(output)")
            #expect(row.hasSuffix(state), "\(name): \(row.debugDescription)")
        }
        // Only the state is painted: the header and the other cells are plain.
        #expect(output.split(separator: "\n").first?.contains(Self.escape) == false)
        #expect(output.components(separatedBy: Self.escape).count - 1 == 2 * painted.count, "\(output.debugDescription)")
    }

    @Test func theDetailOfOneTargetPaintsItsState_AgainstKubeTestServer() async throws {
        let lab = try await StatusOutputLab.shared.value
        let (status, output) = try await lab.runOnTerminal(["status", "secret/gone-tls", "-n", lab.namespace])
        #expect(status == 0, "\(output)")
        #expect(output.contains("State:        \u{1B}[31mExpired\u{1B}[0m"), "\(output.debugDescription)")
    }

    @Test(arguments: [
        (["--no-color"], [:]),
        ([], ["NO_COLOR": "1"]),
        ([], ["NO_COLOR": "anything"]),
    ] as [([String], [String: String])])
    func noColourWhenTheUserSaysSo_AgainstKubeTestServer(flags: [String], environment: [String: String]) async throws {
        let lab = try await StatusOutputLab.shared.value
        let (status, output) = try await lab.runOnTerminal(["status", "-n", lab.namespace] + flags, environment: environment)
        #expect(status == 0, "\(output)")
        #expect(line("secret/soon-tls", in: output)?.hasSuffix(" Expiring") == true, "\(output)")
        #expect(!output.contains(Self.escape), "\(output.debugDescription)")
    }

    /// no-color.org: NO_COLOR counts when it is set and not empty.
    @Test func anEmptyNoColorLeavesColourOn_AgainstKubeTestServer() async throws {
        let lab = try await StatusOutputLab.shared.value
        let (status, output) = try await lab.runOnTerminal(["status", "-n", lab.namespace], environment: ["NO_COLOR": ""])
        #expect(status == 0, "\(output)")
        #expect(line("secret/healthy-tls", in: output)?.hasSuffix("\u{1B}[32mValid\u{1B}[0m") == true, "\(output.debugDescription)")
    }

    @Test func aPipeGetsNoColour_AgainstKubeTestServer() async throws {
        let lab = try await StatusOutputLab.shared.value
        let result = try await lab.run(["status", "-n", lab.namespace], environment: ["TERM": "xterm-256color"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(line("ingress/absent", in: result.stdout)?.hasSuffix(" Missing") == true, "\(result.stdout)")
        #expect(!result.stdout.contains(Self.escape))
    }
}
