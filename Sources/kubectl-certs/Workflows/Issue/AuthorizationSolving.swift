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

/// The second step: prove each pending authorization — by DNS-01, each name's record through
/// its own solver, or by HTTP-01 through the cluster's ingress — every record and solver
/// object noted in the pending order before it is published, all of them visible (or served)
/// before the CA is asked, and every one removed afterwards.
struct AuthorizationSolving {
    var acme: ACMEClient
    var solvers: IssueSolvers
    var progress: ProgressDisplay
    var outstanding: OutstandingRecords
    /// Serves the HTTP-01 challenges, in `namespace`; nil when no name is proven so.
    var http01: HTTP01Solving?
    var namespace: String

    /// Solves the order's pending authorizations and returns the order as it then stands.
    /// `note` records the planned records and solver objects (e.g. in the pending order)
    /// before they are published or created.
    func solve(_ order: ACMEOrder, note: ([PendingOrder.Record], [PendingOrder.SolverSet]) async throws -> Void) async throws -> ACMEOrder {
        let authorizations = try await acme.authorizations(of: order).filter { $0.status == .pending }
        let (batches, served, answers) = try await challenges(of: authorizations)
        var planned: [PlannedBatch] = []
        for batch in batches {
            guard let dns01 = solvers.byIdentity[batch.solver] else { continue }
            planned.append(PlannedBatch(solver: batch.solver, dns01: dns01, records: try await dns01.records(for: batch.challenges, events: progress.dns)))
        }
        let records = planned.flatMap { batch in batch.records.map { PendingOrder.Record($0.record, solver: batch.solver) } }
        try await note(records, served.map(\.record))
        for record in records { outstanding.add(record.challengeRecord, via: record.solver.description) }
        defer { outstanding.forgetUnpublished(records.map(\.challengeRecord)) }
        let acme = acme, progress = progress
        let respond: @Sendable () async throws -> Void = {
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
        let http01 = http01
        try await publish(planned[...]) {
            guard let http01 else { return try await respond() }
            try await http01.whileServing(served, body: respond)
        }
        return try await acme.order(at: order.url)
    }

    /// Each authorization's challenge: dns-01 ones grouped by the solver that proves their
    /// name, http-01 ones each with the solver objects that will serve it.
    private func challenges(of authorizations: [ACMEAuthorization]) async throws -> ([ChallengeBatch], [SolverObjects], [ChallengeAnswer]) {
        var batches: [ChallengeBatch] = []
        var served: [SolverObjects] = []
        var answers: [ChallengeAnswer] = []
        let run = SolverObjects.newRun()
        for authorization in authorizations {
            let solver = try solvers.identity(for: authorization.domain)
            if let http01 = solvers.http01[solver] {
                guard let challenge = authorization.challenge(type: "http-01"), let token = challenge.token else {
                    throw CommandFailure(message: "the CA offers no http-01 challenge for \(authorization.domain)", exitStatus: .acmeRefused)
                }
                let text = HTTP01Challenge(domain: authorization.domain, token: token, keyAuthorization: await acme.keyAuthorization(for: token))
                served.append(SolverObjects(name: SolverObjects.name(run: run, token: token), namespace: namespace, run: run, solver: http01, challenge: text))
                answers.append(ChallengeAnswer(authorization: authorization, challenge: challenge))
                continue
            }
            guard let challenge = authorization.challenge(type: "dns-01"), let token = challenge.token else {
                throw CommandFailure(message: "the CA offers no dns-01 challenge for \(authorization.domain)", exitStatus: .acmeRefused)
            }
            let text = ACMEChallengeText(token: token, keyAuthorization: await acme.keyAuthorization(for: token))
            let dnsChallenge = DNSChallenge(domain: authorization.domain, value: await acme.dns01Value(for: token), acme: text)
            if let index = batches.firstIndex(where: { $0.solver == solver }) {
                batches[index].challenges.append(dnsChallenge)
            } else {
                batches.append(ChallengeBatch(solver: solver, challenges: [dnsChallenge]))
            }
            answers.append(ChallengeAnswer(authorization: authorization, challenge: challenge))
        }
        return (batches, served, answers)
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
