import CertCore
import DNS01
import Foundation

/// Renews what is due, many certificates at once: for each, decide whether it is due; take
/// its Lease; read its Secret again (another run may have renewed it meanwhile); issue it
/// again with the settings recorded on it; record an Event. A failure is that certificate's
/// alone: the others go on.
struct RenewWorkflow: Sendable {
    var client: KubernetesClient
    var accounts: AccountStore
    var resolver: DNSResolver
    var propagation: PropagationFlags
    var schedule: RenewalSchedule
    var windows: RenewalInfoSource
    var lease: CertificateLease
    var events: EventRecorder
    var progress: ProgressDisplay
    var outstanding: OutstandingRecords
    var dryRun: Bool
    var concurrency: Int
    /// A CA's `rateLimited` answer is waited out when it asks for no longer than this.
    var longestRateLimitWait: Duration = .seconds(120)
    /// How long the HTTP-01 self-check waits for the solvers to be served.
    var http01Timeout = HTTP01SelfCheck.defaultTimeout

    /// Every candidate's result, in the candidates' order.
    func run(_ candidates: [RenewalCandidate]) async -> [RenewalResult] {
        await withTaskGroup(of: (Int, RenewalResult).self) { group in
            var results = [RenewalResult?](repeating: nil, count: candidates.count)
            var next = 0
            func startNext() {
                guard next < candidates.count else { return }
                let index = next, candidate = candidates[index]
                next += 1
                group.addTask { (index, await renew(candidate)) }
            }
            for _ in 0..<max(1, concurrency) { startNext() }
            while let (index, result) = await group.next() {
                results[index] = result
                startNext()
            }
            return results.compactMap { $0 }
        }
    }

    func renew(_ candidate: RenewalCandidate) async -> RenewalResult {
        let spec = candidate.spec
        var result = RenewalResult(namespace: spec.namespace, secret: spec.secretName, names: spec.orderNames, outcome: .failed, reason: "")
        switch await decide(candidate, secret: candidate.secret) {
        case .notDue(let until, let reason):
            result.outcome = .notDue
            result.dueAt = until
            result.reason = reason
            result.notAfter = candidate.secret?.leafCertificate?.notAfter
            return result
        case .due(let reason):
            result.reason = reason
        }
        if dryRun {
            result.outcome = .due
            return result
        }
        let held: CertificateLease.Held
        do {
            switch try await lease.acquire(namespace: spec.namespace, secret: spec.secretName) {
            case .heldBy(let holder):
                result.outcome = .skipped
                result.reason = "another renewal (\(holder)) holds Lease \(spec.namespace)/\(CertificateLease.name(forSecret: spec.secretName))"
                return result
            case .held(let taken):
                held = taken
            }
        } catch {
            result.reason = "could not take the Lease: \(CommandFailure(error).message)"
            return result
        }
        let outcome = await renewHoldingLease(candidate, reason: result.reason)
        await held.release()
        return outcome
    }

    private func renewHoldingLease(_ candidate: RenewalCandidate, reason: String) async -> RenewalResult {
        let spec = candidate.spec
        var result = RenewalResult(namespace: spec.namespace, secret: spec.secretName, names: spec.orderNames, outcome: .failed, reason: reason)
        var current = candidate.secret
        do {
            current = try await client.getIfPresent(.secrets, name: spec.secretName, namespace: spec.namespace).map(Secret.init(object:))
            // Listed before the Lease was ours: when another run renewed it since, that is done.
            if current?.data["tls.crt"] != candidate.secret?.data["tls.crt"], let leaf = current?.leafCertificate, leaf.notAfter > Date() {
                result.outcome = .skipped
                result.reason = "renewed meanwhile by another run (serial \(leaf.serialNumber))"
                result.notAfter = leaf.notAfter
                return result
            }
            let issued = try await issue(candidate)
            result.outcome = .renewed
            result.notAfter = issued.notAfter
            result.serial = issued.serial
            await events.record(.renewed, "Renewed the certificate for \(spec.orderNames.joined(separator: ", ")) (\(reason)): serial \(issued.serial), valid until \(RFC3339.string(issued.notAfter))",
                                secret: ObjectReference(issued.secret.object), servedBy: spec.servedBy)
        } catch {
            result.reason = CommandFailure(error).message
            result.notAfter = current?.leafCertificate?.notAfter
            await events.record(.renewalFailed, "Renewal failed: \(result.reason)", secret: current.map { ObjectReference($0.object) }, servedBy: spec.servedBy)
        }
        return result
    }

    /// Issues the certificate again, waiting out a CA's rate limit when it asks for little.
    private func issue(_ candidate: RenewalCandidate) async throws -> IssueWorkflow.Issued {
        let display = progress.certificate(candidate.key)
        defer { display.end() }
        let client = client, acme = candidate.acme, dns = candidate.dns, http01 = candidate.http01
        let workflow = IssueWorkflow(client: client, accounts: accounts, resolver: resolver, propagation: propagation, adopt: false,
                                     progress: display, outstanding: outstanding,
                                     settings: { spec in try await IssueSettingsSource(client: client, acme: acme, dns: dns, http01: http01).settings(for: spec) },
                                     http01Timeout: http01Timeout)
        var waited = 0
        while true {
            do {
                return try await workflow.issue(candidate.spec)
            } catch let error as ACMEError where error.problemType == "rateLimited" {
                let wait = error.retryAfter.map { max(1, $0.timeIntervalSinceNow) }
                guard let wait, wait <= longestRateLimitWait.seconds, waited < 3 else {
                    let until = error.retryAfter.map { "; it may be tried again after \(RFC3339.string($0))" } ?? ""
                    throw CommandFailure(message: "the CA's rate limit refused the order\(until): \(error.description)", exitStatus: .acmeRefused)
                }
                waited += 1
                display.note("the CA's rate limit asks to wait \(Int(wait.rounded(.up))) s; waiting")
                try await Task.sleep(for: .seconds(wait))
            }
        }
    }

    private func decide(_ candidate: RenewalCandidate, secret: Secret?) async -> RenewalSchedule.Decision {
        let leaf = secret?.leafCertificate
        let names = candidate.spec.orderNames
        if let urgent = schedule.urgent(leaf: leaf, names: names) { return urgent }
        guard let leaf, let server = candidate.acme.server ?? candidate.recorded?.server else {
            return schedule.decide(leaf: leaf, names: names, window: nil)
        }
        if let stored = StoredRenewalWindow.current(in: secret, for: leaf, now: schedule.now) {
            return schedule.decide(leaf: leaf, names: names, window: stored)
        }
        let window = await windows.window(for: leaf, server: server)
        if let window, let checkAfter = window.retryAfter, !dryRun, let secret {
            await remember(StoredRenewalWindow(serial: leaf.serialNumber, window: window, checkAfter: checkAfter), on: secret)
        }
        return schedule.decide(leaf: leaf, names: names, window: window)
    }

    /// Keeps the window on the Secret until the CA's Retry-After; a failure costs only an
    /// earlier question next time.
    private func remember(_ window: StoredRenewalWindow, on secret: Secret) async {
        do {
            _ = try await client.mergePatch(.secrets, name: secret.name, namespace: secret.namespace, patch: ["metadata": ["annotations": [StoredRenewalWindow.annotation: .string(window.text)]]])
        } catch {
            progress.note("\(secret.namespace ?? "")/\(secret.name): could not keep the CA's renewal window on the Secret: \(CommandFailure(error).message)")
        }
    }
}
