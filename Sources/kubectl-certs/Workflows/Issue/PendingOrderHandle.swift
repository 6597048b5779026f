import CertCore
import DNS01
import Foundation

/// This run's pending-order record: the records it plans are added before they are published,
/// and when the run ends — issued, failed or interrupted — the records an earlier run left
/// are removed and the record is deleted, or kept naming exactly the records still there.
actor PendingOrderHandle {
    private let store: PendingOrderStore
    private var stored: PendingOrderStore.Stored
    /// Records an earlier run noted, found in the record when this run took it over.
    private let earlier: [PendingOrder.Record]
    private var planned: [PendingOrder.Record] = []
    /// HTTP-01 solver objects an earlier run noted, and those this run plans.
    private let earlierSolvers: [PendingOrder.SolverSet]
    private var plannedSolvers: [PendingOrder.SolverSet] = []
    /// Where the record is kept, for messages.
    nonisolated let location: String

    /// Takes over `stored`; the records an earlier run noted there count as outstanding.
    init(store: PendingOrderStore, stored: PendingOrderStore.Stored, outstanding: OutstandingRecords) {
        self.store = store
        self.stored = stored
        self.earlier = stored.order.records
        self.earlierSolvers = stored.order.http01 ?? []
        self.location = stored.location
        for record in earlier { outstanding.add(record.challengeRecord, via: record.solver.description, published: true) }
        for set in earlierSolvers { outstanding.add(set) }
        outstanding.keptIn = "they are recorded in \(location), and the next `kubectl certs issue` into Secret \(stored.namespace)/\(stored.target) removes them"
    }

    /// Adds records and solver objects before they are published or created, so a killed
    /// run's can be found.
    func note(_ records: [PendingOrder.Record], _ solvers: [PendingOrder.SolverSet]) async throws {
        planned += records
        plannedSolvers += solvers
        var order = stored.order
        order.records = Array(Set(order.records).union(records)).sorted { ($0.fqdn, $0.value) < ($1.fqdn, $1.value) }
        order.http01 = Self.sorted(Set(order.http01 ?? []).union(solvers))
        stored = try await store.update(stored, with: order)
    }

    private static func sorted(_ sets: Set<PendingOrder.SolverSet>) -> [PendingOrder.SolverSet]? {
        sets.isEmpty ? nil : sets.sorted { ($0.namespace, $0.name) < ($1.namespace, $1.name) }
    }

    /// Removes the HTTP-01 solvers an earlier run left before this run creates its own: a
    /// resumed order has the same tokens, and the earlier run's Ingress for a path would take
    /// the requests for it (the oldest Ingress wins) and send them to its Pod. They stay noted
    /// in the record until `settle`.
    func removeEarlierSolvers(client: KubernetesClient, outstanding: OutstandingRecords, progress: ProgressDisplay) async {
        let left = earlierSolvers.filter(outstanding.contains)
        guard !left.isEmpty else { return }
        progress.note("removing \(left.count) HTTP-01 solver(s) an unfinished run left")
        await HTTP01Solving.removeLeftovers(left, client: client, outstanding: outstanding, progress: progress)
    }

    /// Ends the run's record: removes the records an earlier run left that this run has not
    /// removed itself, then deletes the pending order, or — when some record could not be
    /// removed — keeps it with just those (and, unless `orderDone`, the order to resume) and
    /// says so.
    func settle(orderDone: Bool, solvers: IssueSolvers, outstanding: OutstandingRecords, progress: ProgressDisplay) async throws {
        let stale = Array(Set(earlier.filter { outstanding.contains($0.challengeRecord) }))
        await StaleRecords.remove(stale, solvers: solvers, outstanding: outstanding, progress: progress)
        let staleSolvers = Array(Set(earlierSolvers + plannedSolvers).filter(outstanding.contains))
        if !staleSolvers.isEmpty {
            progress.note("removing \(staleSolvers.count) HTTP-01 solver(s) still in the cluster")
            await HTTP01Solving.removeLeftovers(staleSolvers, client: store.client, outstanding: outstanding, progress: progress)
        }
        let left = Array(Set(planned + earlier).filter { outstanding.contains($0.challengeRecord) })
        let leftSolvers = Set(earlierSolvers + plannedSolvers).filter(outstanding.contains)
        if left.isEmpty && leftSolvers.isEmpty {
            try await store.remove(stored)
            return
        }
        var order = stored.order
        order.records = left.sorted { ($0.fqdn, $0.value) < ($1.fqdn, $1.value) }
        order.http01 = Self.sorted(leftSolvers)
        if orderDone {
            order.orderURL = nil
            order.keyPEM = nil
        }
        stored = try await store.update(stored, with: order)
        if let summary = outstanding.summary { progress.note("not removed: \(summary)") }
    }
}

/// Removes records an earlier run left, concurrently, each through the solver that published it.
enum StaleRecords {
    static func remove(_ records: [PendingOrder.Record], solvers: IssueSolvers, outstanding: OutstandingRecords, progress: ProgressDisplay) async {
        await withTaskGroup(of: Void.self) { group in
            for record in records {
                let via = record.solver.description
                outstanding.add(record.challengeRecord, via: via, published: true)
                guard let solver = solvers.byIdentity[record.solver] else {
                    progress.note("cannot remove TXT \(record.fqdn) left by an earlier run: this certificate no longer uses its solver (\(via))")
                    continue
                }
                group.addTask {
                    do {
                        try await solver.provider.cleanUp(record.challengeRecord)
                        outstanding.removed(record.challengeRecord)
                        progress.dns(.cleanedUp(record.challengeRecord))
                    } catch {
                        progress.dns(.cleanupFailed(record.challengeRecord, message: "\(error)"))
                    }
                }
            }
        }
    }
}
