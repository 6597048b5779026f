import CertCore
import DNS01
import Foundation
import Providers

/// Issues certificates, one step after another: resume or place the order, solve its
/// authorizations by DNS-01 (every record presented and checked concurrently, always removed),
/// finalize and download, and store the Secret in one request. An unfinished run leaves a
/// `PendingOrder` that the next run of the same command picks up; a finished one — issued or
/// failed — leaves it only to name records it could not remove.
struct IssueWorkflow {
    var client: KubernetesClient
    var accounts: AccountStore
    var resolver: DNSResolver
    var propagation: PropagationFlags
    var adopt: Bool
    var progress: ProgressDisplay
    /// The challenge records that may be on a DNS server, for what an interruption reports.
    var outstanding: OutstandingRecords
    /// Settings for a certificate: from the flags, or from its issuer.
    var settings: @Sendable (CertificateSpec) async throws -> IssueSettings
    /// How long the HTTP-01 self-check waits for the solvers to be served.
    var http01Timeout = HTTP01SelfCheck.defaultTimeout

    struct Issued: Sendable {
        var spec: CertificateSpec
        var notAfter: Date
        var serial: String
        /// The Secret as stored.
        var secret: Secret
    }

    func issue(_ spec: CertificateSpec) async throws -> Issued {
        let step = StepTimer(subject: "\(spec.namespace)/\(spec.secretName)")
        let settings: IssueSettings = try await step("settings") { try await self.settings(spec) }
        let existing: Secret? = try await step("Secret check") { try await writableSecret(for: spec) }
        let solvers: IssueSolvers = try await step("DNS solvers") { try await dnsSolvers(for: spec, settings: settings) }
        for http01 in solvers.http01.values { try await IngressClassCheck.verify(http01, client: client) }
        let acme: ACMEClient = try await step("ACME account") { try await accounts.connect(settings, progress: progress) }
        let placed = try await step("order") {
            try await OrderPlacement(store: PendingOrderStore(client: client), progress: progress).resumeOrPlace(spec, settings: settings, existing: existing, acme: acme)
        }
        let pending = PendingOrderHandle(store: PendingOrderStore(client: client), stored: placed.pending, outstanding: outstanding)
        let chain: IssuedChain
        let stored: Secret
        do {
            var order: ACMEOrder = placed.order
            if order.status == .pending {
                await pending.removeEarlierSolvers(client: client, outstanding: outstanding, progress: progress)
                let http01 = try solvers.http01.isEmpty ? nil : http01Solving()
                order = try await step(Self.challengeStep(solvers)) {
                    try await AuthorizationSolving(acme: acme, solvers: solvers, progress: progress, outstanding: outstanding, http01: http01, namespace: spec.namespace)
                        .solve(order, note: { try await pending.note($0, $1) })
                }
            }
            chain = try await step("finalize and download") { () async throws -> IssuedChain in
                try await CertificateRetrieval(acme: acme, progress: progress).retrieve(order, key: placed.key, spec: spec, preferredChain: settings.preferredChain)
            }
            stored = try await step("Secret write") {
                try await store(chain, key: placed.key, for: spec, settings: settings, account: await acme.accountURL, providers: solvers.providerCodes)
            }
        } catch {
            await settle(pending, orderDone: false, solvers: solvers)
            throw error
        }
        await step("pending record") { await settle(pending, orderDone: true, solvers: solvers) }
        step.finish()
        return Issued(spec: spec, notAfter: chain.leaf.notAfter, serial: chain.leaf.serialNumber, secret: stored)
    }

    /// The Secret as it is now, after checking it may be written — before anything is ordered.
    private func writableSecret(for spec: CertificateSpec) async throws -> Secret? {
        let existing = try await client.getIfPresent(.secrets, name: spec.secretName, namespace: spec.namespace).map(Secret.init(object:))
        if let existing { try SecretWriter(client: client).checkMayWrite(existing, adopt: adopt, certificateName: spec.certificateName) }
        return existing
    }

    /// The challenge step's name in the `-v` timings, by how the names are proven.
    private static func challengeStep(_ solvers: IssueSolvers) -> String {
        switch (solvers.byIdentity.isEmpty, solvers.http01.isEmpty) {
        case (_, true): return "DNS-01 (publish, propagation, validation, cleanup)"
        case (true, false): return "HTTP-01 (solvers, self-check, validation, cleanup)"
        case (false, false): return "DNS-01 and HTTP-01 (publish, propagation, self-check, validation, cleanup)"
        }
    }

    private func http01Solving() throws -> HTTP01Solving {
        let check = HTTP01SelfCheck(probe: try HTTP01Probe(resolver: resolver), client: client, timeout: http01Timeout, progress: progress)
        return HTTP01Solving(client: client, selfCheck: check, progress: progress, outstanding: outstanding)
    }

    func dnsSolvers(for spec: CertificateSpec, settings: IssueSettings) async throws -> IssueSolvers {
        try await IssueSolvers.make(for: spec, settings: settings, client: client, resolver: resolver, propagation: propagation)
    }

    /// The last step: key and chain into the Secret, in one request.
    /// An API server failure says which Secret was not written.
    private func store(_ chain: IssuedChain, key: PrivateKey, for spec: CertificateSpec, settings: IssueSettings, account: String?, providers: [String]) async throws -> Secret {
        let stored: Secret
        do {
            stored = try await SecretWriter(client: client).write(name: spec.secretName, namespace: spec.namespace, contents: SecretWriter.Contents(
                certificateChainPEM: chain.pem,
                privateKeyPEM: try key.pem(encoding: spec.keyEncoding),
                caPEM: nil,
                annotations: IssueAnnotations.make(spec, settings: settings, chain: chain, account: account, providers: providers)
            ), adopt: adopt, certificateName: spec.certificateName)
        } catch let error as KubernetesError {
            var failure = CommandFailure(error)
            failure.message = "the certificate was issued but not stored: writing Secret \(spec.namespace)/\(spec.secretName) failed: \(failure.message)"
            throw failure
        }
        progress.stageAll("stored in Secret \(spec.namespace)/\(spec.secretName)")
        return stored
    }

    /// Removes what is left and ends the pending record, in a task of its own so that it also
    /// runs to the end after an interruption. Its failure is reported, never thrown over the
    /// run's outcome.
    private func settle(_ pending: PendingOrderHandle, orderDone: Bool, solvers: IssueSolvers) async {
        let outstanding = outstanding, progress = progress
        do {
            try await Task {
                try await pending.settle(orderDone: orderDone, solvers: solvers, outstanding: outstanding, progress: progress)
            }.value
        } catch {
            progress.note("could not update the unfinished order in \(pending.location): \(CommandFailure(error).message)")
        }
    }
}
