import CertCore
import Foundation
import TestSupport
import Testing

/// The CA restarts between the order and its finalization (a Pebble of the test's own, killed
/// and started again while the run waits a fixed time for propagation): the run fails with an error that
/// names the CA and what happened, leaves the Secret and the zone as they were, and the same
/// command run again succeeds with a new order.
@Suite(.lab) struct PebbleRestartTests {
    @Test func aRestartedCAFailsTheRunCleanlyAndTheRerunSucceeds_AgainstLab() async throws {
        // Always reusing authorizations, so that the renewal publishes only because it runs
        // with a new account.
        let pebble = try await OwnPebble(nonceRejectPercent: 5, authzReusePercent: 100)
        for _ in 0..<Figures.runs {
            try await restartMidway(pebble)
        }
    }

    private func restartMidway(_ pebble: OwnPebble) async throws {
        let started = ContinuousClock.now
        var run = try await FaultRun(secretName: "restart-tls")
        run.server = pebble.directoryURL
        var scan = try LeakScan()
        let issued = try await run.issue()
        scan.add("first issuance", issued)
        try #require(issued.status == 0, "\(issued.stderr)")
        let before = try await run.lab.secret(run.secretName, run.namespace).data

        // A fixed wait after publishing is the window in which the CA restarts. A new account
        // makes sure there is something to publish: with the first issuance's account, Pebble
        // (even at PEBBLE_AUTHZREUSE=0, once in a hundred runs) reuses its valid authorization
        // and the run just finalizes.
        try await run.lab.forgetAccounts(in: run.namespace)
        run.extraArguments = ["--propagation-wait", "10s"]
        let renewal = try run.start()
        #expect(try await renewal.waitFor("for propagation (not checking)"), "\(renewal.stderr)")
        pebble.stop()
        try await pebble.start()
        let status = await renewal.wait()
        scan.add("run across the restart", renewal)
        #expect(status == 5 || status == 1, "exit \(status): \(renewal.stderr)")
        #expect(renewal.process.termination == .exited(status), "ended by a signal")
        let lastLine = renewal.stderr.split(separator: "\n").last.map(String.init) ?? ""
        #expect(lastLine.contains("127.0.0.1:\(URL(string: pebble.directoryURL)?.port ?? 0)"), "the error does not name the CA: \(lastLine)")
        #expect(try await run.lab.secret(run.secretName, run.namespace).data == before, "the Secret changed")
        #expect(try run.zoneValues().isEmpty, "challenge records left")

        run.extraArguments = []
        let rerun = try await run.issue()
        scan.add("rerun", rerun)
        #expect(rerun.status == 0, "\(rerun.stderr)")
        #expect(!rerun.stderr.contains("resuming order"), "\(rerun.stderr)")
        #expect(try await run.lab.secret(run.secretName, run.namespace).data["tls.crt"] != before["tls.crt"])
        try scan.addFiles(under: run.home)
        #expect(scan.hits.isEmpty, "\(scan.hits)")
        try await run.expectFinished("ca-restart-mid-order", since: started, passed: rerun.status == 0 && (status == 5 || status == 1))
    }
}
