import CertCore
import DNS01
import Foundation

/// The challenges of an order that one solver proves.
struct ChallengeBatch: Sendable {
    var solver: SolverIdentity
    var challenges: [DNSChallenge]
}

/// A batch after discovery: each record and where it goes.
struct PlannedBatch: Sendable {
    var solver: SolverIdentity
    var dns01: DNS01Solver
    var records: [(record: ChallengeRecord, target: ChallengeTarget)]
}

/// A challenge the CA is asked to validate once every record is visible.
struct ChallengeAnswer: Sendable {
    var authorization: ACMEAuthorization
    var challenge: ACMEChallenge
}

/// The second step: prove each pending authorization by DNS-01 — each name's record through
/// its own solver, every record noted in the pending order before it is published, all of
/// them visible before the CA is asked, and every one removed afterwards.
struct AuthorizationSolving {
    var acme: ACMEClient
    var solvers: IssueSolvers
    var progress: ProgressDisplay
    var outstanding: OutstandingRecords

    /// Solves the order's pending authorizations and returns the order as it then stands.
    /// `note` records the planned records (e.g. in the pending order) before they are published.
    func solve(_ order: ACMEOrder, note: ([PendingOrder.Record]) async throws -> Void) async throws -> ACMEOrder {
        let authorizations = try await acme.authorizations(of: order).filter { $0.status == .pending }
        let (batches, answers) = try await challenges(of: authorizations)
        var planned: [PlannedBatch] = []
        for batch in batches {
            guard let dns01 = solvers.byIdentity[batch.solver] else { continue }
            planned.append(PlannedBatch(solver: batch.solver, dns01: dns01, records: try await dns01.records(for: batch.challenges, events: progress.dns)))
        }
        let records = planned.flatMap { batch in batch.records.map { PendingOrder.Record($0.record, solver: batch.solver) } }
        try await note(records)
        for record in records { outstanding.add(record.challengeRecord, via: record.solver.description) }
        defer { outstanding.forgetUnpublished(records.map(\.challengeRecord)) }
        try await publish(planned[...]) {
            for answer in answers { _ = try await acme.respond(to: answer.challenge) }
            progress.note("asked the CA to validate \(answers.count) name(s)")
            try await withThrowingTaskGroup(of: Void.self) { group in
                for answer in answers {
                    group.addTask {
                        _ = try await acme.waitForAuthorization(at: answer.authorization.url)
                        progress.stage(answer.authorization.domain.lowercased(), "valid")
                    }
                }
                try await group.waitForAll()
            }
        }
        return try await acme.order(at: order.url)
    }

    /// Each authorization's dns-01 challenge, grouped by the solver that proves its name.
    private func challenges(of authorizations: [ACMEAuthorization]) async throws -> ([ChallengeBatch], [ChallengeAnswer]) {
        var batches: [ChallengeBatch] = []
        var answers: [ChallengeAnswer] = []
        for authorization in authorizations {
            guard let challenge = authorization.challenge(type: "dns-01"), let token = challenge.token else {
                throw CommandFailure(message: "the CA offers no dns-01 challenge for \(authorization.domain)", exitStatus: .acmeRefused)
            }
            let solver = try solvers.identity(for: authorization.domain)
            let text = ACMEChallengeText(token: token, keyAuthorization: await acme.keyAuthorization(for: token))
            let dnsChallenge = DNSChallenge(domain: authorization.domain, value: await acme.dns01Value(for: token), acme: text)
            if let index = batches.firstIndex(where: { $0.solver == solver }) {
                batches[index].challenges.append(dnsChallenge)
            } else {
                batches.append(ChallengeBatch(solver: solver, challenges: [dnsChallenge]))
            }
            answers.append(ChallengeAnswer(authorization: authorization, challenge: challenge))
        }
        return (batches, answers)
    }

    /// Publishes each batch through its solver in turn (nested), runs `body` with all of them
    /// visible, and lets each solver remove its own records.
    private func publish(_ batches: ArraySlice<PlannedBatch>, body: @escaping () async throws -> Void) async throws {
        guard let first = batches.first else { return try await body() }
        let outstanding = outstanding, progress = progress, via = first.solver.description
        try await first.dns01.withRecordsPublished(first.records, events: { event in
            progress.dns(event)
            outstanding.observe(event, via: via)
        }) {
            try await publish(batches.dropFirst(), body: body)
        }
    }
}
