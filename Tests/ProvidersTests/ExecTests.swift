import DNS01
import Foundation
import Providers
import TestSupport
import Testing

/// The exec adapter, driving a hook script as lego users write them (lab/exec-hook/
/// nsupdate_hook.sh, which publishes in the lab's BIND with nsupdate).
@Suite(.lab) struct ExecTests {
    /// A wrapper that gives the hook script its settings, as a user's shell would.
    func hook(nameserver: String, keyFile: String, zone: String) throws -> String {
        try NSUpdateLab.script("HOOK_NAMESERVER=\(nameserver) HOOK_ZONE=\(zone) HOOK_KEY_FILE=\(keyFile) exec \(NSUpdateLab.server("exec-hook/nsupdate_hook.sh")) \"$@\"")
    }

    @Test func conformance_AgainstBINDAndKnot() async throws {
        let lab = try NSUpdateLab()
        let good = try hook(nameserver: lab.primary, keyFile: lab.keyFile, zone: lab.zone)
        let wrong = try hook(nameserver: lab.primary, keyFile: try lab.wrongKeyFile(), zone: lab.zone)
        let dead = try hook(nameserver: "127.0.0.9", keyFile: lab.keyFile, zone: lab.zone)
        try await runProviderConformance(
            makeProvider: { try configuredProvider(["EXEC_PATH": good], code: "exec") },
            makeWrongProvider: { try configuredProvider(["EXEC_PATH": wrong], code: "exec") },
            makeUnreachableProvider: { try configuredProvider(["EXEC_PATH": dead], code: "exec") },
            zone: lab.zone,
            nameservers: try RFC2136Lab().nameservers,
            isClearCredentialError: { $0.hasPrefix("exec: ") && $0.contains("exited with status 2") && $0.contains("NOTAUTH(BADSIG)") && $0.contains(wrong) },
            wrongCredentialCode: .rejected,
            unreachableCode: .rejected)
    }

    @Test func theProgramGetsLegosArgumentsAndThisProcesssEnvironment() async throws {
        let directory = NSUpdateLab.temporaryDirectory()
        let log = directory.appendingPathComponent("calls").path
        let program = try NSUpdateLab.script("printf '%s|' \"$@\" >> \(log); echo \"PATH=${PATH:+set}\" >> \(log)", in: directory)
        let provider = try configuredProvider(["EXEC_PATH": program], code: "exec")
        let record = ChallengeRecord(fqdn: "_acme-challenge.args.example.test", zone: "example.test", value: "value-\(UUID().uuidString)", ttl: 60)
        try await provider.present(record)
        try await provider.cleanUp(record)
        let calls = try String(contentsOfFile: log, encoding: .utf8).split(separator: "\n")
        #expect(calls == ["present|_acme-challenge.args.example.test.|\(record.value)|PATH=set", "cleanup|_acme-challenge.args.example.test.|\(record.value)|PATH=set"])
    }

    @Test func aFailingProgramsStatusAndStderrTailAreInTheError() async throws {
        let program = try NSUpdateLab.script("echo 'first line' >&2; echo 'the zone is locked by someone else' >&2; exit 3")
        let provider = try configuredProvider(["EXEC_PATH": program], code: "exec")
        let error = await #expect(throws: ProviderError.self) {
            try await provider.present(ChallengeRecord(fqdn: "_acme-challenge.fail.example.test", zone: "example.test", value: "v1", ttl: 60))
        }
        #expect(error?.code == .rejected)
        #expect(error?.message.hasPrefix("exec: `\(program) present _acme-challenge.fail.example.test. v1` (zone example.test.) exited with status 3: ") == true, "\(error?.message ?? "")")
        #expect(error?.message.contains("first line | the zone is locked by someone else") == true)
    }

    @Test func aProgramThatHangsIsStoppedAtEXEC_TIMEOUT() async throws {
        let program = try NSUpdateLab.script("echo 'waiting for a lock' >&2; exec sleep 60")
        let provider = try configuredProvider(["EXEC_PATH": program, "EXEC_TIMEOUT": "1s"], code: "exec")
        let error = await #expect(throws: ProviderError.self) {
            try await provider.present(ChallengeRecord(fqdn: "_acme-challenge.hang.example.test", zone: "example.test", value: "v2", ttl: 60))
        }
        #expect(error?.code == .unreachable)
        #expect(error?.message.contains("did not finish within 1.0 seconds and was stopped (EXEC_TIMEOUT): waiting for a lock") == true, "\(error?.message ?? "")")
    }

    @Test func callsRunOneAtATimeAndEXEC_SEQUENCE_INTERVALApart() async throws {
        let directory = NSUpdateLab.temporaryDirectory()
        let log = directory.appendingPathComponent("log").path
        // mkdir is atomic: a second call while one runs finds the lock taken.
        let program = try NSUpdateLab.script("""
            mkdir \(directory.path)/running || echo overlap >> \(log)
            echo "start $(date +%s.%N)" >> \(log)
            sleep 0.2
            echo "end $(date +%s.%N)" >> \(log)
            rmdir \(directory.path)/running
            """, in: directory)
        let provider = try configuredProvider(["EXEC_PATH": program, "EXEC_SEQUENCE_INTERVAL": "1s"], code: "exec")
        let first = ChallengeRecord(fqdn: "_acme-challenge.seq.example.test", zone: "example.test", value: "one", ttl: 60)
        let second = ChallengeRecord(fqdn: "_acme-challenge.seq.example.test", zone: "example.test", value: "two", ttl: 60)
        async let a: Void = provider.present(first)
        async let b: Void = provider.present(second)
        _ = try await (a, b)
        let lines = try String(contentsOfFile: log, encoding: .utf8).split(separator: "\n")
        #expect(!lines.contains("overlap"))
        let times = lines.compactMap { $0.split(separator: " ").last.flatMap { Double($0) } }
        try #require(times.count == 4, "\(lines)")
        #expect(times[2] - times[1] >= 1.0, "the second call started \(times[2] - times[1]) s after the first ended")
    }

    @Test func EXEC_PATHFromASecretIsRefused() {
        let environment = ProviderEnvironment(supplied: ["EXEC_PATH": "/bin/true"], suppliedBy: "Secret team/dns")
        let error = #expect(throws: ProviderError.self) { try ConfiguredProvider(code: "exec", environment: environment) }
        #expect(error?.code == .configuration)
        #expect(error?.message.contains("EXEC_PATH in Secret team/dns is refused") == true, "\(error?.message ?? "")")
    }

    @Test func aMissingProgramAndABadModeAreReportedTogether() {
        let error = #expect(throws: ProviderError.self) { try configuredProvider(["EXEC_PATH": "/no/such/hook", "EXEC_MODE": "CUSTOM"], code: "exec") }
        #expect(error?.code == .configuration)
        #expect(error?.message.contains("EXEC_PATH=/no/such/hook is not an executable file") == true)
        #expect(error?.message.contains("EXEC_MODE=CUSTOM is not one of RAW") == true, "\(error?.message ?? "")")
    }

    @Test func rawModeNeedsAnACMEChallengeAndSaysSoForAProbe() async throws {
        let provider = try configuredProvider(["EXEC_PATH": "/bin/true", "EXEC_MODE": "RAW"], code: "exec")
        let probe = ChallengeRecord(fqdn: "_acme-challenge.probe.example.test", zone: "example.test", value: "v", ttl: 60)
        let error = await #expect(throws: ProviderError.self) { try await provider.present(probe) }
        #expect(error?.message.contains("EXEC_MODE=RAW passes the ACME challenge, and this record has none") == true)
    }
}
