import CertCore
import Foundation
import TestSupport
import Testing

/// The DNS primary goes down after publishing and before cleanup. The shared lab's BIND cannot
/// be stopped, so the plugin sends its updates through a forwarder of the test's own
/// (`lab/faults/dns-forwarder.py`) that goes down after forwarding the first UPDATE (the
/// record's addition): the CA still validates through the lab's resolver, and the removal
/// fails. The record stays in the zone and in the pending record, the command says so, and the
/// next run — with the primary back — removes it.
@Suite(.lab) struct PrimaryDownAtCleanupTests {
    static let forwarder = Lab.repositoryRoot.appendingPathComponent("lab/faults/dns-forwarder.py").path

    @Test func aRecordThatCouldNotBeRemovedIsRemovedByTheNextRun_AgainstLab() async throws {
        for _ in 0..<Figures.runs {
            try await primaryDownAtCleanup()
        }
    }

    private func primaryDownAtCleanup() async throws {
        let started = ContinuousClock.now
        var run = try await FaultRun(secretName: "down-tls")
        var scan = try LeakScan()
        let upstream = "\(run.lab.primary):53"
        var forwarder: ServerProcess? = try await ServerProcess(Self.forwarder, ["--upstream", upstream, "--down-after-updates", "1"])
        let port = try #require(forwarder?.port)
        run.environmentOverrides["RFC2136_NAMESERVER"] = "127.0.0.1:\(port)"

        let first = try await run.issue()
        scan.add("run with the primary down at cleanup", first)
        #expect(forwarder?.outputLines.contains { $0.hasPrefix("DOWN") } == true, "the forwarder never went down: \(first.stderr)")
        forwarder = nil
        #expect(first.stderr.contains("could not remove TXT \(run.challengeName)"), "\(first.stderr)")
        // What the command tells its user (progress lines, not -vvv's request log).
        let told = first.stderr.split(separator: "\n").filter { $0.hasPrefix("[") }.joined(separator: "\n")
        #expect(told.contains("Secret \(run.namespace)/kubectl-certs-pending-down-tls") && told.contains("the next `kubectl certs issue`"),
                "the command does not say where the record is kept and what removes it: \(told)")
        #expect(try await run.pendingRecordNames() == [run.challengeName + "."])
        #expect(try run.zoneValues().count == 1, "the record should still be in the zone")

        forwarder = try await ServerProcess(Self.forwarder, ["--upstream", upstream, "--port", String(port)])
        let second = try await run.issue()
        scan.add("rerun with the primary back", second)
        #expect(second.status == 0, "\(second.stderr)")
        #expect(second.stderr.contains("TXT removed: \(run.challengeName)"), "\(second.stderr)")
        try scan.addFiles(under: run.home)
        #expect(scan.hits.isEmpty, "\(scan.hits)")
        try await run.expectFinished("primary-down-at-cleanup", since: started, passed: second.status == 0)
        forwarder = nil
    }
}
