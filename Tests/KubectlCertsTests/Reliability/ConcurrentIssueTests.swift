import CertCore
import Foundation
import TestSupport
import Testing

/// Two `kubectl certs issue` runs into one Secret at once: one wins and the other stops
/// without touching anything, or they run one after the other; never a key from one with the
/// certificate of the other, and nothing left behind.
@Suite(.lab) struct ConcurrentIssueTests {
    enum Start: String, CaseIterable, CustomTestStringConvertible {
        case together = "started together"
        case whileTheFirstPublishes = "the second started while the first publishes"
        var testDescription: String { rawValue }
    }

    @Test(arguments: Start.allCases)
    func twoRunsIntoOneSecretNeverMixTheirKeys_AgainstLab(_ start: Start) async throws {
        for _ in 0..<Figures.runs {
            try await race(start)
        }
    }

    private func race(_ start: Start) async throws {
        let started = ContinuousClock.now
        let run = try await FaultRun(secretName: "race-tls")
        var scan = try LeakScan()
        if start == .whileTheFirstPublishes {
            // The first run's removal of its pending record is held 20 s (under the client's 30 s request timeout): it is surely still
            // working when the second one reads the record, even when a loaded machine makes this
            // test notice the first one's progress seconds late.
            try await KubeFaults().add([["method": "DELETE", "path": KubeFaults.path(namespace: run.namespace, name: run.pendingName), "delayMs": 20000]])
        }
        let one = try run.start()
        if start == .whileTheFirstPublishes {
            #expect(try await one.waitFor("] TXT published: "), "\(one.stderr)")
        }
        let other = try run.start()
        let statuses = [await one.wait(), await other.wait()]
        scan.add("first run", one)
        scan.add("second run", other)
        #expect(statuses.contains(0), "neither run succeeded: \(one.stderr)\n---\n\(other.stderr)")
        if start == .whileTheFirstPublishes {
            #expect(statuses == [0, 1], "the second run should stop: \(other.stderr)")
        }
        for (status, command) in zip(statuses, [one, other]) where status != 0 {
            #expect(status == 1, "\(command.stderr)")
            let lastLine = command.stderr.split(separator: "\n").last.map(String.init) ?? ""
            #expect(lastLine.contains("another kubectl-certs run") && lastLine.contains("is issuing into Secret \(run.namespace)/race-tls"), "\(command.stderr)")
        }
        try scan.addFiles(under: run.home)
        #expect(scan.hits.isEmpty, "\(scan.hits)")
        try await run.expectFinished(start == .together ? "concurrent-runs" : "concurrent-runs-staggered", since: started, passed: statuses.contains(0))
    }
}
