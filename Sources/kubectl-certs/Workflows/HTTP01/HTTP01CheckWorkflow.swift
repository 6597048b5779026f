import CertCore
import Foundation

/// `http01 check`: serves a probe challenge for a host through the cluster's ingress, as
/// `issue --http01` would, checks it from outside as the CA would, and removes it.
struct HTTP01CheckWorkflow {
    var client: KubernetesClient
    var namespace: String
    var solver: HTTP01Solver
    var selfCheck: HTTP01SelfCheck
    var progress: ProgressDisplay
    var outstanding: OutstandingRecords

    func check(_ host: String) async throws -> String {
        try await IngressClassCheck.verify(solver, client: client)
        let token = Base64URL.encode(Data((0..<32).map { _ in UInt8.random(in: 0...255) }))
        let challenge = HTTP01Challenge(domain: host, token: token, keyAuthorization: "\(token).kubectl-certs-probe")
        let run = SolverObjects.newRun()
        let objects = SolverObjects(name: SolverObjects.name(run: run, token: token), namespace: namespace, run: run, solver: solver, challenge: challenge,
                                    probeHolder: .current)
        let started = ContinuousClock.now
        progress.begin(names: [host.lowercased()], stage: "creating a probe solver")
        let solving = HTTP01Solving(client: client, selfCheck: selfCheck, progress: progress, outstanding: outstanding)
        try await removeKilledProbes()
        var servedAfter = Duration.zero
        try await solving.whileServing([objects]) { servedAfter = ContinuousClock.now - started }
        let removal = outstanding.summary.map { "the probe solver could not be removed: \($0)" } ?? "the probe solver was removed"
        return """
            \(challenge.url) served the probe through \(solver.classDescription) after \(String(format: "%.1f", servedAfter.seconds)) s
            solver: \(objects.namespace)/\(objects.name) (configmap, pod, service, ingress); \(removal)

            """
    }

    /// Removes the probe solvers of the namespace that a check on this host left when it was
    /// killed; those of a check still running, or of another host, are left alone.
    private func removeKilledProbes() async throws {
        let probes = try await client.list(.configMaps, namespace: namespace, labelSelector: "\(SolverObjects.probeLabel)=true")
        let left = probes.filter { probe in
            guard let text = probe.annotations[SolverObjects.holderAnnotation],
                  let holder = try? JSONDecoder().decode(RunHolder.self, from: Data(text.utf8)) else { return false }
            return holder.host == RunHolder.current.host && holder != .current && !holder.isRunningHere
        }
        guard !left.isEmpty else { return }
        progress.note("removing \(left.count) probe solver(s) a killed check left")
        let sets = left.map { PendingOrder.SolverSet(namespace: namespace, name: $0.name, domain: "", path: "", editedIngress: nil) }
        for set in sets { outstanding.add(set) }
        await HTTP01Solving.removeLeftovers(sets, client: client, outstanding: outstanding, progress: progress)
    }
}
