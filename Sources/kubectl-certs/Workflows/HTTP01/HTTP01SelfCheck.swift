import CertCore
import Foundation

/// Waits until every solver serves its key authorization as the CA will fetch it, showing per
/// name what the last look found; on timeout, says for each name what was seen and why.
struct HTTP01SelfCheck: Sendable {
    var probe: HTTP01Probe
    var client: KubernetesClient
    var timeout: Duration
    var progress: ProgressDisplay

    static let defaultTimeout = Duration.seconds(120)

    /// The self-check gave up: what each unserved name showed.
    struct TimedOut: Error, CustomStringConvertible {
        var timeout: Duration
        var explanations: [String]
        var description: String {
            "the HTTP-01 self-check timed out after \(Int(timeout.seconds)) s:\n" + explanations.map { "  \($0)" }.joined(separator: "\n")
        }
    }

    func waitUntilServed(_ solvers: [SolverObjects]) async throws {
        let deadline = ContinuousClock.now + timeout
        let failures = try await withThrowingTaskGroup(of: String?.self) { group in
            for objects in solvers {
                group.addTask { try await waitUntilServed(objects, deadline: deadline) }
            }
            var failures: [String] = []
            for try await failure in group { if let failure { failures.append(failure) } }
            return failures
        }
        guard failures.isEmpty else { throw TimedOut(timeout: timeout, explanations: failures.sorted()) }
    }

    /// Nil once served; else, at the deadline, the explanation.
    private func waitUntilServed(_ objects: SolverObjects, deadline: ContinuousClock.Instant) async throws -> String? {
        let name = objects.challenge.domain.lowercased()
        var pause = Duration.milliseconds(250)
        var shown: String?
        while true {
            let observation = await probe.observe(objects.challenge)
            try Task.checkCancellation()
            let summary = Self.summary(observation)
            if summary != shown {
                progress.stage(name, summary)
                shown = summary
            }
            if observation.isServed { return nil }
            if ContinuousClock.now + pause > deadline {
                return "\(name): " + (await explain(observation, objects))
            }
            try await Task.sleep(for: pause)
            pause = min(pause * 2, .seconds(2))
        }
    }

    /// The live line of a name: the last look, briefly.
    static func summary(_ observation: ProbeObservation) -> String {
        switch observation {
        case .served: return "HTTP-01 served at port 80"
        case .noAddress: return "HTTP-01: the name has no address"
        case .unreachable(let address, _): return "HTTP-01: no answer from \(address):80"
        case .status(_, let code, let location): return "HTTP-01: ingress answers \(code)\(location.map { " → \($0)" } ?? "")"
        case .wrongBody: return "HTTP-01: ingress answers other content"
        }
    }

    func explain(_ observation: ProbeObservation, _ objects: SolverObjects) async -> String {
        let pod = try? await client.getIfPresent(.pods, name: objects.name, namespace: objects.namespace).map(Pod.init(object:))
        let classes = try? await client.list(IngressClass.self, namespace: nil)
        return ProbeExplanation.explain(observation, challenge: objects.challenge, solver: objects.solver, pod: pod, classes: classes)
    }
}
