import CertCore
import Foundation
import TestSupport
import Testing

/// `kill -9` of `kubectl certs issue` at each of its steps; the same command run again
/// finishes, and nothing is left: no challenge record, no pending record, no key that does not
/// match its certificate, and no secret in anything the runs printed or wrote.
@Suite(.lab) struct KillAtEachStepTests {
    enum Step: String, CaseIterable, CustomTestStringConvertible {
        case afterOrder = "after the order"
        case afterPublishing = "after the TXT records are published"
        case afterAnswering = "after answering the challenges"
        case afterFinalize = "after finalize"
        case beforeSecretWrite = "before the Secret write"

        var testDescription: String { rawValue }

        /// The progress line (plain, stderr is not a terminal) that says the step was reached.
        var marker: String {
            switch self {
            case .afterOrder: "] order https://"
            case .afterPublishing: "] TXT published: "
            case .afterAnswering: "] asked the CA to validate"
            case .afterFinalize: "s] finalized"
            // Logged at -v as the step before the write ends; the write's first request is held
            // by the API server, so the run is still there.
            case .beforeSecretWrite: "finalize and download took"
            }
        }

        /// Whether the run is held at its Secret write, so that it cannot finish before the kill.
        var holdsTheWrite: Bool {
            [.afterAnswering, .afterFinalize, .beforeSecretWrite].contains(self)
        }

        var figureName: String {
            switch self {
            case .afterOrder: "kill9-after-order"
            case .afterPublishing: "kill9-after-publish"
            case .afterAnswering: "kill9-after-answer"
            case .afterFinalize: "kill9-after-finalize"
            case .beforeSecretWrite: "kill9-before-secret-write"
            }
        }
    }

    @Test(arguments: Step.allCases)
    func killedTheRerunFinishesAndLeavesNothing_AgainstLab(_ step: Step) async throws {
        for _ in 0..<Figures.runs {
            try await killAndRerun(at: step)
        }
    }

    private func killAndRerun(at step: Step) async throws {
        let started = ContinuousClock.now
        let run = try await FaultRun(secretName: "kill-tls")
        var scan = try LeakScan()
        let faults = try KubeFaults()
        let path = KubeFaults.path(namespace: run.namespace, name: run.secretName)
        if step.holdsTheWrite {
            // The first GET of the target Secret is the check before ordering; the second is the
            // write's, which the API server holds for 30 s: the run is still there to be killed.
            try await faults.add([["method": "GET", "path": path, "delayMs": 1], ["method": "GET", "path": path, "delayMs": 30000]])
        }
        let first = try run.start(killOn: step.marker)
        let killed = await first.wait()
        let reached = first.stderr.contains(step.marker)
        #expect(reached, "never reached \(step.rawValue): \(first.stderr)")
        #expect(first.process.termination == .signalled(SIGKILL), "not killed (exit \(killed)): \(first.stderr.suffix(4000))")
        scan.add("killed run", first)
        try await faults.drain(method: "GET", path: path)
        if step == .beforeSecretWrite {
            #expect(try await run.lab.client.getIfPresent(.secrets, name: run.secretName, namespace: run.namespace) == nil, "the killed run wrote the Secret")
        }
        if step != .afterOrder {
            // From the publishing step on, the pending record holds the order and its records.
            let pending = try await run.pending()
            #expect(pending?["orderURL"] as? String != nil, "no pending order after a kill \(step.rawValue)")
        }

        let second = try await run.issue()
        #expect(second.status == 0, "\(second.stderr)")
        scan.add("rerun", second)
        if [.afterAnswering, .afterFinalize, .beforeSecretWrite].contains(step) {
            #expect(second.stderr.contains("resuming order"), "\(second.stderr)")
        }
        try scan.addFiles(under: run.home)
        #expect(scan.hits.isEmpty, "\(scan.hits)")
        try await run.expectFinished(step.figureName, since: started, passed: second.status == 0 && reached)
    }
}
