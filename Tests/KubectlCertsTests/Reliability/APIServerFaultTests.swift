import CertCore
import Foundation
import TestSupport
import Testing

/// The Kubernetes API server answering 429 with Retry-After, 500 with Retry-After, or slowly,
/// during `issue` and `status` (every fault scoped to the test's namespace): issue completes and
/// leaves nothing behind, status prints what it prints without faults. A 500 without
/// Retry-After on the Secret write fails the run clearly, with its records removed.
@Suite(.lab) struct APIServerFaultTests {
    enum Fault: String, CaseIterable, CustomTestStringConvertible {
        case tooManyRequests = "429 with Retry-After"
        case internalErrorWithRetryAfter = "500 with Retry-After"
        case slow = "slow answers"

        var testDescription: String { rawValue }

        /// Faults for every request on the namespace's objects.
        func specs(namespace: String, count: Int) -> [[String: Any]] {
            let path = "/namespaces/\(namespace)/"
            switch self {
            case .tooManyRequests: return [["path": path, "status": 429, "retryAfter": 1, "count": count]]
            case .internalErrorWithRetryAfter: return [["path": path, "status": 500, "retryAfter": 1, "count": count]]
            case .slow: return [["path": path, "delayMs": 1500, "count": count]]
            }
        }

        /// The status the server log shows for a faulted request.
        var loggedStatus: Int? {
            switch self {
            case .tooManyRequests: 429
            case .internalErrorWithRetryAfter: 500
            case .slow: nil
            }
        }
    }

    @Test(arguments: Fault.allCases)
    func issueCompletesThroughTheFault_AgainstLab(_ fault: Fault) async throws {
        for _ in 0..<Figures.runs {
            let started = ContinuousClock.now
            let run = try await FaultRun(secretName: "api-tls")
            let faults = try KubeFaults()
            try await faults.add(fault.specs(namespace: run.namespace, count: 4))
            let result = try await run.issue()
            #expect(result.status == 0, "\(result.stderr)")
            #expect(try await faults.queued(mentioning: run.namespace).isEmpty, "the faults were not all used")
            if let logged = fault.loggedStatus {
                #expect(try await faults.requests(mentioning: run.namespace).filter { $0.status == logged }.count == 4)
            }
            try await run.expectFinished("api-\(fault.figureName)-issue", since: started, passed: result.status == 0)
        }
    }

    @Test(arguments: Fault.allCases)
    func statusPrintsTheSameRowsThroughTheFault_AgainstLab(_ fault: Fault) async throws {
        let run = try await FaultRun(secretName: "shown-tls")
        let issued = try await run.issue()
        try #require(issued.status == 0, "\(issued.stderr)")
        let arguments = ["certs", "status", "-n", run.namespace, "-o", "wide"]
        let clean = try await Subprocess.run("kubectl", arguments, environment: run.environment)
        #expect(clean.status == 0, "\(clean.stderr)")
        #expect(clean.stdout.contains("shown-tls"))
        let faults = try KubeFaults()
        for _ in 0..<Figures.runs {
            let started = ContinuousClock.now
            try await faults.add(fault.specs(namespace: run.namespace, count: 3))
            let faulted = try await Subprocess.run("kubectl", arguments, environment: run.environment)
            #expect(faulted.status == 0, "\(faulted.stderr)")
            #expect(faulted.stdout == clean.stdout)
            #expect(try await faults.queued(mentioning: run.namespace).isEmpty, "the faults were not all used")
            Figures.record("api-\(fault.figureName)-status", ok: faulted.status == 0 && faulted.stdout == clean.stdout,
                           detail: "differing=\(faulted.stdout == clean.stdout ? 0 : 1)", since: started)
        }
    }

    @Test func aSecretWriteThatFailsWithoutRetryAfterFailsClearlyAndRemovesItsRecords_AgainstLab() async throws {
        for _ in 0..<Figures.runs {
            try await failedWrite()
        }
    }

    private func failedWrite() async throws {
        let started = ContinuousClock.now
        let run = try await FaultRun(secretName: "broken-tls")
        // A Secret of the plugin's already there: the write is a PUT of its own.
        var existing = Secret(name: run.secretName, namespace: run.namespace)
        existing.type = Secret.tlsType
        existing.labels = ["app.kubernetes.io/managed-by": "kubectl-certs"]
        existing.data = ["tls.crt": Data("old certificate".utf8), "tls.key": Data("old key".utf8)]
        _ = try await run.lab.client.create(existing.object)
        let faults = try KubeFaults()
        try await faults.add([["method": "PUT", "path": KubeFaults.path(namespace: run.namespace, name: run.secretName), "status": 500]])
        let failed = try await run.issue()
        #expect(failed.status == 1, "\(failed.stderr)")
        #expect(failed.stderr.contains("TXT removed: \(run.challengeName)"), "\(failed.stderr)")
        let lastLine = failed.stderr.split(separator: "\n").last.map(String.init) ?? ""
        #expect(lastLine.contains("Secret \(run.namespace)/\(run.secretName)") && lastLine.contains("injected fault"),
                "the error does not say which write failed and what the API server answered: \(lastLine)")
        #expect(try await run.lab.secret(run.secretName, run.namespace).data == existing.data, "the Secret changed")
        #expect(try run.zoneValues().isEmpty)
        #expect(try await run.pending() == nil)

        let rerun = try await run.issue()
        #expect(rerun.status == 0, "\(rerun.stderr)")
        try await run.expectFinished("api-500-on-secret-write", since: started, passed: failed.status == 1 && rerun.status == 0)
    }
}

extension APIServerFaultTests.Fault {
    var figureName: String {
        switch self {
        case .tooManyRequests: "429"
        case .internalErrorWithRetryAfter: "500-retry-after"
        case .slow: "slow"
        }
    }
}
