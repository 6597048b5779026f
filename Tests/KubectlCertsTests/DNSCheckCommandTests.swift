import Foundation
import TestSupport
import Testing

/// `kubectl certs dns check` against the lab's BIND primary and Knot secondary.
@Suite struct DNSCheckCommandTests {
    func run(_ arguments: [String], secret: String? = nil) async throws -> Subprocess.Result {
        let binary = Subprocess.buildDirectory.appendingPathComponent("kubectl-certs").path
        var environment = [
            "RFC2136_NAMESERVER": try Lab.require("LAB_DNS_PRIMARY", component: "dns"),
            "RFC2136_TSIG_KEY": try Lab.require("LAB_TSIG_KEY", component: "dns"),
            "RFC2136_TSIG_SECRET": try secret ?? Lab.require("LAB_TSIG_SECRET", component: "dns"),
        ]
        environment["NO_COLOR"] = "1"
        return try await Subprocess.run(binary, ["dns", "check", "--dns-resolver", try Lab.require("LAB_DNS_RESOLVER", component: "dns")] + arguments, environment: environment)
    }

    @Test func itShowsTheZoneTheCNAMEAndEveryNameserver_AgainstBINDAndKnot() async throws {
        let result = try await run(["-d", "alias.example.test"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("CNAME chain:  _acme-challenge.alias.delegated.test."))
        #expect(result.stdout.contains("in zone delegated.test."))
        #expect(result.stdout.contains("127.0.0.2"))
        #expect(result.stdout.contains("127.0.0.3"))
    }

    @Test func aProbeReachesEveryNameserverAndIsRemoved_AgainstBINDAndKnot() async throws {
        let name = "\(uniqueLabel("probe")).example.test"
        let result = try await run(["-d", name, "--dns", "rfc2136"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("ns1.example.test. (127.0.0.2)"))
        #expect(result.stdout.contains("ns2.example.test. (127.0.0.3)"))
        #expect(result.stdout.contains("the probe record was removed"))
        #expect(try LabDNS.txt("_acme-challenge.\(name)", at: "127.0.0.2").isEmpty)
    }

    @Test func aSecondaryThatLagsPastTheTimeoutExitsSixNamingIt_AgainstBINDAndKnot() async throws {
        // slow.test's secondary refreshes every 10 s at a moment no test controls; if a refresh
        // falls inside the 1 s wait the probe really did propagate. Three tries rule that out.
        var timedOut: Subprocess.Result?
        for attempt in 1...3 where timedOut == nil {
            let name = "\(uniqueLabel("lag\(attempt)")).slow.test"
            let result = try await run(["-d", name, "--dns", "rfc2136", "--propagation-timeout", "1s"])
            #expect(try LabDNS.txt("_acme-challenge.\(name)", at: "127.0.0.2").isEmpty, "the probe was not cleaned up")
            if result.status != 0 { timedOut = result }
        }
        let result = try #require(timedOut, "the slow secondary served the probe within 1 s three times")
        #expect(result.status == 6, "\(result.stdout)\(result.stderr)")
        #expect(result.stderr.contains("127.0.0.3"))
    }

    @Test func aWrongTSIGSecretIsExplainedWithoutShowingIt_AgainstBIND() async throws {
        let wrong = Data((0..<32).map { _ in UInt8.random(in: 0...255) }).base64EncodedString()
        let result = try await run(["-d", "\(uniqueLabel("bad")).example.test", "--dns", "rfc2136"], secret: wrong)
        #expect(result.status != 0)
        #expect(result.stderr.contains("RFC2136_TSIG_SECRET"))
        #expect(!result.stderr.contains(wrong) && !result.stdout.contains(wrong))
    }
}
