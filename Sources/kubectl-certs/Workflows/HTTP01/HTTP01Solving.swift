import CertCore

/// Serves HTTP-01 challenges for the length of `body`: each solver set noted (in the pending
/// order) before it is created, all of them checked from outside until they serve their key
/// authorizations, and every one removed afterwards — after success, failure or cancellation.
struct HTTP01Solving: Sendable {
    var client: KubernetesClient
    var selfCheck: HTTP01SelfCheck
    var progress: ProgressDisplay
    var outstanding: OutstandingRecords

    func whileServing(_ solvers: [SolverObjects], body: () async throws -> Void) async throws {
        guard !solvers.isEmpty else { return try await body() }
        let deployment = SolverDeployment(client: client)
        do {
            try await withThrowingTaskGroup(of: Void.self) { group in
                for objects in solvers {
                    outstanding.add(objects.record)
                    group.addTask {
                        try await deployment.create(objects)
                        progress.stage(objects.challenge.domain.lowercased(), "HTTP-01 solver created in \(objects.namespace)")
                    }
                }
                try await group.waitForAll()
            }
            try await selfCheck.waitUntilServed(solvers)
            try await body()
        } catch {
            await Self.removeLeftovers(solvers.map(\.record), client: client, outstanding: outstanding, progress: progress)
            throw error
        }
        await Self.removeLeftovers(solvers.map(\.record), client: client, outstanding: outstanding, progress: progress)
    }

    /// Removes the sets, concurrently, in a task of its own so that cancellation does not stop
    /// it; what cannot be removed stays outstanding and is reported.
    static func removeLeftovers(_ sets: [PendingOrder.SolverSet], client: KubernetesClient, outstanding: OutstandingRecords, progress: ProgressDisplay) async {
        let deployment = SolverDeployment(client: client)
        await Task {
            await withTaskGroup(of: Void.self) { group in
                for set in sets {
                    group.addTask {
                        do {
                            try await deployment.remove(set)
                            outstanding.removed(set)
                        } catch {
                            progress.note("could not remove \(set): \(CommandFailure(error).message)")
                        }
                    }
                }
            }
        }.value
    }
}
