import Foundation
import TestSupport
import Testing

/// `kubectl certs providers`: the registry compiled into the binary, and a live check.
@Suite(.lab) struct ProvidersCommandTests {
    let binary = Subprocess.buildDirectory.appendingPathComponent("kubectl-certs").path

    @Test func listAndShowComeFromTheRegistry() throws {
        let list = try Subprocess.run(binary, ["providers", "list", "-o", "json"])
        #expect(list.status == 0)
        let registry = try JSONSerialization.jsonObject(with: try Data(contentsOf: Lab.repositoryRoot.appendingPathComponent("plugins.json"))) as? [String: Any]
        let listed = try JSONSerialization.jsonObject(with: Data(list.stdout.utf8)) as? [String: Any]
        let codes = { (object: [String: Any]?) in ((object?["providers"] as? [[String: Any]]) ?? []).compactMap { $0["code"] as? String } }
        #expect(codes(listed) == codes(registry))
        #expect(!codes(listed).isEmpty)

        let show = try Subprocess.run(binary, ["providers", "show", "rfc2136"])
        #expect(show.status == 0)
        #expect(show.stdout.contains("RFC2136_TSIG_SECRET (optional) [secret]"))
        let unknown = try Subprocess.run(binary, ["providers", "show", "nope"])
        #expect(unknown.status == 2)
        #expect(unknown.stderr.contains("rfc2136"))
    }

    @Test func checkPublishesAProbeThroughTheProvider_AgainstBINDAndKnot() async throws {
        let environment = [
            "RFC2136_NAMESERVER": try Lab.require("LAB_DNS_PRIMARY", component: "dns"),
            "RFC2136_TSIG_KEY": try Lab.require("LAB_TSIG_KEY", component: "dns"),
            "RFC2136_TSIG_SECRET": try Lab.require("LAB_TSIG_SECRET", component: "dns"),
        ]
        let name = "\(uniqueLabel("pc")).example.test"
        let result = try await Subprocess.run(binary, ["providers", "check", "rfc2136", "-d", name, "--dns-resolver", try Lab.require("LAB_DNS_RESOLVER", component: "dns")], environment: environment)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("probe via rfc2136"))
        #expect(result.stdout.contains("the probe record was removed"))
    }
}
