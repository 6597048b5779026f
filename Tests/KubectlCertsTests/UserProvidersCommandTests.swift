import Foundation
import TestSupport
import Testing

/// A provider the user defines in their own plugins.json, through the CLI.
@Suite(.lab) struct UserProvidersCommandTests {
    let binary = Subprocess.buildDirectory.appendingPathComponent("kubectl-certs").path

    @Test func aUserProviderIsListedShownAndProbedWithoutShowingItsSecret_AgainstBINDAndKnot() async throws {
        let secret = try Lab.require("LAB_TSIG_SECRET", component: "dns")
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("xdg-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory.appendingPathComponent("kubectl-certs"), withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("kubectl-certs/plugins.json")
        let user: [String: Any] = ["schemaVersion": 1, "providers": [[
            "code": "lab-bind", "adapter": "rfc2136", "name": "The lab's BIND",
            "variables": [
                "RFC2136_NAMESERVER": try Lab.require("LAB_DNS_PRIMARY", component: "dns"),
                "RFC2136_TSIG_KEY": try Lab.require("LAB_TSIG_KEY", component: "dns"),
                "RFC2136_TSIG_SECRET": secret,
            ],
        ]]]
        try JSONSerialization.data(withJSONObject: user).write(to: file)
        let environment = ["XDG_CONFIG_HOME": directory.path, "NO_COLOR": "1"]

        let list = try await Subprocess.run(binary, ["providers", "list"], environment: environment)
        #expect(list.status == 0, "\(list.stderr)")
        let rows = list.stdout.split(separator: "\n")
        #expect(rows.first?.contains("CREDENTIALS") == true)
        #expect(rows.contains { $0.hasPrefix("lab-bind ") && $0.contains(" set ") && $0.hasSuffix(file.path) })
        // This shell has no PowerDNS credentials.
        #expect(rows.contains { $0.hasPrefix("pdns ") && $0.contains("missing PDNS_API_URL,PDNS_API_KEY") })
        let show = try await Subprocess.run(binary, ["providers", "show", "lab-bind"], environment: environment)
        #expect(show.stdout.contains("using the rfc2136 adapter"))
        #expect(show.stdout.contains("RFC2136_TSIG_SECRET=(not shown)"))
        #expect(!show.stdout.contains(secret))

        let name = "\(uniqueLabel("user")).example.test"
        let probe = try await Subprocess.run(binary, ["dns", "check", "-d", name, "--dns", "lab-bind", "--dns-resolver", try Lab.require("LAB_DNS_RESOLVER", component: "dns")], environment: environment)
        #expect(probe.status == 0, "\(probe.stderr)")
        #expect(probe.stdout.contains("the probe record was removed"))
        #expect(!probe.stdout.contains(secret) && !probe.stderr.contains(secret))
    }
}
