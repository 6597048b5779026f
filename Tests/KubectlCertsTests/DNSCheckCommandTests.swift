import Foundation
import TestSupport
import Testing

/// `kubectl certs dns check` against the lab's BIND primary and Knot secondary.
@Suite struct DNSCheckCommandTests {
    func run(_ arguments: [String], secret: String? = nil) throws -> Subprocess.Result {
        let binary = Subprocess.buildDirectory.appendingPathComponent("kubectl-certs").path
        var environment = [
            "RFC2136_NAMESERVER": try Lab.require("LAB_DNS_PRIMARY", component: "dns"),
            "RFC2136_TSIG_KEY": try Lab.require("LAB_TSIG_KEY", component: "dns"),
            "RFC2136_TSIG_SECRET": try secret ?? Lab.require("LAB_TSIG_SECRET", component: "dns"),
        ]
        environment["NO_COLOR"] = "1"
        return try Subprocess.run(binary, ["dns", "check", "--dns-resolver", try Lab.require("LAB_DNS_RESOLVER", component: "dns")] + arguments, environment: environment)
    }

    @Test func itShowsTheZoneTheCNAMEAndEveryNameserver_AgainstBINDAndKnot() throws {
        let result = try run(["-d", "alias.example.test"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("CNAME chain:  _acme-challenge.alias.delegated.test."))
        #expect(result.stdout.contains("in zone delegated.test."))
        #expect(result.stdout.contains("127.0.0.2"))
        #expect(result.stdout.contains("127.0.0.3"))
    }

    @Test func aProbeReachesEveryNameserverAndIsRemoved_AgainstBINDAndKnot() throws {
        let name = "probe\(UInt32.random(in: .min ... .max)).example.test"
        let result = try run(["-d", name, "--dns", "rfc2136"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("ns1.example.test. (127.0.0.2)"))
        #expect(result.stdout.contains("ns2.example.test. (127.0.0.3)"))
        #expect(result.stdout.contains("the probe record was removed"))
        #expect(try LabDNS.txt("_acme-challenge.\(name)", at: "127.0.0.2").isEmpty)
    }

    @Test func aSecondaryThatLagsPastTheTimeoutExitsSixNamingIt_AgainstBINDAndKnot() throws {
        let name = "lag\(UInt32.random(in: .min ... .max)).slow.test"
        let result = try run(["-d", name, "--dns", "rfc2136", "--propagation-timeout", "1s"])
        #expect(result.status == 6, "\(result.stdout)\(result.stderr)")
        #expect(result.stderr.contains("127.0.0.3"))
        #expect(try LabDNS.txt("_acme-challenge.\(name)", at: "127.0.0.2").isEmpty, "the probe was not cleaned up")
    }

    @Test func aWrongTSIGSecretIsExplainedWithoutShowingIt_AgainstBIND() throws {
        let wrong = Data((0..<32).map { _ in UInt8.random(in: 0...255) }).base64EncodedString()
        let result = try run(["-d", "bad\(UInt32.random(in: .min ... .max)).example.test", "--dns", "rfc2136"], secret: wrong)
        #expect(result.status != 0)
        #expect(result.stderr.contains("RFC2136_TSIG_SECRET"))
        #expect(!result.stderr.contains(wrong) && !result.stdout.contains(wrong))
    }
}
