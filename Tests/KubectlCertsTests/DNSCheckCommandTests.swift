import Foundation
import TestSupport
import Testing

/// `kubectl certs dns check` against the lab's BIND primary and Knot secondary.
@Suite(.lab) struct DNSCheckCommandTests {
    func run(_ arguments: [String], secret: String? = nil, clockOffset: String? = nil) async throws -> Subprocess.Result {
        let binary = Subprocess.buildDirectory.appendingPathComponent("kubectl-certs").path
        var environment = [
            "RFC2136_NAMESERVER": try Lab.require("LAB_DNS_PRIMARY", component: "dns"),
            "RFC2136_TSIG_KEY": try Lab.require("LAB_TSIG_KEY", component: "dns"),
            "RFC2136_TSIG_SECRET": try secret ?? Lab.require("LAB_TSIG_SECRET", component: "dns"),
        ]
        environment["NO_COLOR"] = "1"
        let command = ["dns", "check", "--dns-resolver", try Lab.require("LAB_DNS_RESOLVER", component: "dns")] + arguments
        // libfaketime skews this process's clock alone, as a machine whose clock is wrong would be.
        if let clockOffset { return try await Subprocess.run("faketime", ["-f", clockOffset, binary] + command, environment: environment) }
        return try await Subprocess.run(binary, command, environment: environment)
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
        // The DNS server refusing our credentials is exit 4, as a refused Kubernetes token is.
        #expect(result.status == 4, "\(result.stderr)")
        #expect(result.stderr.contains("BADSIG"))
        #expect(result.stderr.contains("RFC2136_TSIG_SECRET"))
        #expect(!result.stderr.contains(wrong) && !result.stdout.contains(wrong))
    }

    @Test func doubleVerboseShowsEveryQueryAndUpdateWithTimingsAndNoSecret_AgainstBINDAndKnot() async throws {
        let name = "\(uniqueLabel("verbose")).example.test"
        let result = try await run(["-d", name, "--dns", "rfc2136", "-vv"])
        #expect(result.status == 0, "\(result.stderr)")
        let lines = result.stderr.split(separator: "\n")
        // Discovery and propagation queries, each with its server, answer and time.
        #expect(lines.contains { $0.contains("debug") && $0.contains("query _acme-challenge.\(name)") && $0.contains("127.0.0.3") && $0.contains(" ms") })
        // The update that publishes the probe and the one that removes it, with the key's name only.
        #expect(lines.contains { $0.contains("update: add TXT") && $0.contains("accepted in") })
        #expect(lines.contains { $0.contains("update: delete TXT") && $0.contains("accepted in") })
        let secret = try Lab.require("LAB_TSIG_SECRET", component: "dns")
        #expect(!result.stderr.contains(secret) && !result.stdout.contains(secret))
    }

    @Test func aClockTwentyMinutesOffIsBADTIMEWithWhatToFix_AgainstBIND() async throws {
        let name = "\(uniqueLabel("skew")).example.test"
        let result = try await run(["-d", name, "--dns", "rfc2136"], clockOffset: "-20m")
        #expect(result.status == 4, "\(result.stderr)")
        #expect(result.stderr.contains("BADTIME"))
        #expect(result.stderr.contains("fix the clock"))
        #expect(try LabDNS.txt("_acme-challenge.\(name)", at: "127.0.0.2").isEmpty)
    }
}
