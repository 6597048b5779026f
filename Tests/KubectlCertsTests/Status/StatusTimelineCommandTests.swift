import Foundation
import TestSupport
import Testing

/// `kubectl certs status --timeline` through the real kubectl against the lab's Kubernetes
/// API test server, and the flags it will not combine with.
@Suite(.lab) struct StatusTimelineCommandTests {
    /// The certificate rows of a picture (between the two axis lines and the legend).
    func rows(_ output: String) -> [Substring] {
        Array(output.split(separator: "\n").dropFirst(2).prefix { !$0.hasPrefix("left edge: today") })
    }

    @Test func aPipeGetsASCIIRiskiestFirstWithinItsWidth_AgainstKubeTestServer() async throws {
        let lab = try await StatusOutputLab.shared.value
        let result = try await lab.run(["status", "-n", lab.namespace, "--timeline"], environment: ["COLUMNS": "110"])
        #expect(result.status == 0, "\(result.stderr)")
        let output = result.stdout
        #expect(output.unicodeScalars.allSatisfy { $0.isASCII }, "\(output)")
        #expect(output.split(separator: "\n").allSatisfy { $0.count <= 110 }, "\(output)")
        #expect(output.hasPrefix("CERTIFICATE"))
        let lines = rows(output)
        let order = ["ingress/absent", "secret/broken-tls", "secret/gone-tls", "secret/soon-tls", "secret/healthy-tls"]
        #expect(lines.count == order.count, "\(output)")
        for (line, name) in zip(lines, order) {
            #expect(line.hasPrefix("\(lab.namespace)/\(name) "), "\(name) in:\n\(output)")
        }
        // Healthy: a bar with its renewal point two thirds in, reaching the axis's end (the
        // default axis ends at the latest expiry).
        let healthy = lines[4]
        #expect(healthy.contains("=|-") && healthy.hasSuffix("-   in 57d"), "\(healthy)")
        // Expiring: already past its renewal point, the whole bar is due.
        #expect(lines[3].contains("Expiring  ---") && !lines[3].contains("="), "\(lines[3])")
        #expect(lines[0].contains("Missing   Secret absent-tls does not exist"))
        #expect(lines[2].contains("Expired   expired 3d ago"))
    }

    @Test func daysBoundTheAxisAndLaterExpiriesGetAnArrow_AgainstKubeTestServer() async throws {
        let lab = try await StatusOutputLab.shared.value
        let result = try await lab.run(["status", "-n", lab.namespace, "--timeline", "--days", "30"], environment: ["COLUMNS": "100"])
        #expect(result.status == 0, "\(result.stderr)")
        let healthy = try #require(rows(result.stdout).first { $0.contains("secret/healthy-tls") })
        #expect(healthy.contains("=>   in 57d") && !healthy.contains("|"), "\(healthy)")
    }

    @Test func aTerminalGetsBlocksAndColours_AgainstKubeTestServer() async throws {
        let lab = try await StatusOutputLab.shared.value
        let (status, output) = try await lab.runOnTerminal(["status", "-n", lab.namespace, "--timeline"], environment: ["COLUMNS": "100"])
        #expect(status == 0, "\(output)")
        #expect(output.contains("\u{1B}[32m████"), "\(output.debugDescription)")
        #expect(output.contains("◆"))
        #expect(output.contains("\u{1B}[33m░"))
        #expect(output.contains("\u{1B}[31mExpired\u{1B}[0m"))

        let (plainStatus, plain) = try await lab.runOnTerminal(["status", "-n", lab.namespace, "--timeline"], environment: ["COLUMNS": "100", "NO_COLOR": "1"])
        #expect(plainStatus == 0, "\(plain)")
        #expect(plain.unicodeScalars.allSatisfy { $0.isASCII }, "\(plain.debugDescription)")
        #expect(plain.contains("=|-"))
    }

    @Test func withoutColumnsItFitsTheTerminalsWidth_AgainstKubeTestServer() async throws {
        let lab = try await StatusOutputLab.shared.value
        let (status, output) = try await lab.runOnTerminal(["status", "-n", lab.namespace, "--timeline"], environment: ["NO_COLOR": "1"], columns: 97)
        #expect(status == 0, "\(output)")
        let lines = output.split(separator: "\n")
        #expect(lines.first?.hasPrefix("CERTIFICATE") == true, "\(output)")
        #expect(lines.contains { $0.count == 97 }, "a row as wide as the terminal:\n\(output)")
        #expect(lines.allSatisfy { $0.count <= 97 }, "\(output)")
    }

    @Test func targetsAndFailOnWorkAsForTheTable_AgainstKubeTestServer() async throws {
        let lab = try await StatusOutputLab.shared.value
        let one = try await lab.run(["status", "secret/soon-tls", "ingress/absent", "-n", lab.namespace, "--timeline", "--fail-on", "Missing"], environment: ["COLUMNS": "120"])
        #expect(one.status == 3, "\(one.stderr)")
        #expect(rows(one.stdout).map { $0.prefix { $0 != " " } } == ["\(lab.namespace)/ingress/absent", "\(lab.namespace)/secret/soon-tls"], "\(one.stdout)")
        #expect(one.stderr.contains("found certificates in state Missing"))
    }

    @Test(arguments: [
        (["--timeline", "-o", "json"], "--timeline draws a picture and takes no -o json"),
        (["--timeline", "-o", "prometheus"], "--timeline draws a picture and takes no -o prometheus"),
        (["--days", "30"], "--days sets the width of the timeline: give --timeline too"),
        (["--timeline", "--days", "0"], "--days 0: expected a number of days from 1 to 3650"),
        (["--timeline", "--days", "99999999999999999999"], "--days"),
        (["-o", "graph"], "-o graph: expected table, wide, json, yaml, prometheus"),
    ])
    func flagsItWillNotCombineAreUsageErrors(arguments: [String], message: String) async throws {
        let binary = Subprocess.buildDirectory.appendingPathComponent("kubectl-certs").path
        let result = try await Subprocess.run(binary, ["status"] + arguments, environment: ["KUBECONFIG": "/nonexistent"])
        #expect(result.status == 2, "\(result.stdout)\(result.stderr)")
        #expect(result.stderr.contains(message), "\(result.stderr)")
    }
}
