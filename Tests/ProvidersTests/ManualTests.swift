import Foundation
import TestSupport
import Testing

/// The manual provider through the built binary (`kubectl-certs dns check --dns manual`): without
/// a terminal (a new session, `setsid`) it refuses; on a pseudo-terminal (`script` from
/// util-linux) it prints the record, waits for Enter, then checks every nameserver.
@Suite(.lab) struct ManualTests {
    var binary: String { Subprocess.buildDirectory.appendingPathComponent("kubectl-certs").path }

    @Test func withoutATerminalItRefusesWithAClearError_AgainstBIND() async throws {
        let resolver = try Lab.require("LAB_DNS_RESOLVER", component: "dns")
        let domain = "\(uniqueLabel("manual")).\(try Lab.require("LAB_DNS_ZONE", component: "dns"))"
        // setsid -w: a new session has no controlling terminal, so /dev/tty cannot be opened.
        let result = try await Subprocess.run("setsid", ["-w", binary, "dns", "check", "-d", domain, "--dns", "manual", "--dns-resolver", resolver], environment: ["NO_COLOR": "1"])
        #expect(result.status == 2, "\(result.stdout)\n\(result.stderr)")
        #expect(result.stderr.contains("manual: this run has no terminal to wait on while you create each TXT record by hand"), "\(result.stderr)")
    }

    @Test func onATerminalItWaitsForEnterThenChecksEveryNameserver_AgainstBINDAndKnot() async throws {
        let resolver = try Lab.require("LAB_DNS_RESOLVER", component: "dns")
        let domain = "\(uniqueLabel("manual")).\(try Lab.require("LAB_DNS_ZONE", component: "dns"))"
        let fqdn = "_acme-challenge.\(domain)"
        let command = [binary, "dns", "check", "-d", domain, "--dns", "manual", "--dns-resolver", resolver, "--propagation-timeout", "30s"].joined(separator: " ")
        let terminal = try PseudoTerminal(command, environment: ["NO_COLOR": "1"])
        var published: String?
        defer { if let published { try? LabDNS.update(fqdn, values: [published], remove: true) } }

        let prompt = try #require(await terminal.waitFor("Press Enter when it is in place"), "no prompt: \(terminal.output)")
        let line = try #require(prompt.split(separator: "\n").first { $0.contains("\(fqdn). 120 IN TXT \"") }, "no record in the prompt: \(prompt)")
        let value = try #require(line.split(separator: "\"").dropFirst().first, "no value in \(line)")
        // Nothing is checked before Enter: the run is still waiting.
        #expect(terminal.isRunning)
        try LabDNS.update(fqdn, values: [String(value)])
        published = String(value)
        try terminal.type("\n")
        let status = await terminal.exitStatus()
        #expect(status == 0, "\(terminal.output)")
        #expect(terminal.output.contains("you may delete this TXT value from zone"), "\(terminal.output)")
        #expect(terminal.output.contains("visible after"), "\(terminal.output)")
    }
}
