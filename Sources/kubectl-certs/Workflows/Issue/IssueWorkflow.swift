import CertCore
import DNS01
import Foundation
import Providers

/// Issues certificates: for each one, the ACME order, DNS-01 through the chosen providers
/// (every record presented and checked concurrently, always cleaned up), finalization, and the
/// Secret written in one request. An interrupted run leaves a `PendingOrder` that the next
/// run of the same command picks up.
struct IssueWorkflow {
    var client: KubernetesClient
    var acmeHTTP: HTTPClient
    var resolver: DNSResolver
    var propagation: PropagationFlags
    var adopt: Bool
    var progress: Progress
    /// Settings for a certificate: from the flags, or from its issuer.
    var settings: @Sendable (CertificateSpec) async throws -> IssueSettings

    struct Issued: Sendable {
        var spec: CertificateSpec
        var notAfter: Date
    }

    func issue(_ spec: CertificateSpec) async throws -> Issued {
        let settings = try await settings(spec)
        let writer = SecretWriter(client: client)
        // Refuse a Secret we may not write before ordering anything.
        let existing = try await client.getIfPresent(.secrets, name: spec.secretName, namespace: spec.namespace).map(Secret.init(object:))
        if let existing { try writer.checkMayWrite(existing, adopt: adopt, certificateName: spec.certificateName) }

        let solvers = try await dnsSolvers(for: spec, settings: settings)
        let acme = try await AccountStore(client: client, http: acmeHTTP).connect(settings, progress: progress)
        let store = PendingOrderStore(client: client)
        let names = spec.orderNames
        let previous = try await store.load(for: spec)
        var staleRecords = previous?.records ?? []

        var order: ACMEOrder?
        var key: PrivateKey?
        if let previous, previous.server == settings.server.directoryURL, previous.names == names,
           let resumed = try? await acme.order(at: previous.orderURL), ["pending", "ready", "processing", "valid"].contains(resumed.status),
           let resumedKey = try? PrivateKey(pem: previous.keyPEM) {
            progress.note("resuming order \(resumed.url) (\(resumed.status)) left by an interrupted run")
            progress.begin(names: names, stage: "resumed (\(resumed.status))")
            order = resumed
            key = resumedKey
        }
        if order == nil || key == nil {
            let newKey = try certificateKey(for: spec, existing: existing)
            let replaces = existing.flatMap { try? Self.renewalIdentifier(of: $0) }
            let newOrder = try await acme.newOrder(identifiers: names.map(ACMEIdentifier.dns), replaces: acme.directory.renewalInfo != nil ? replaces : nil)
            progress.note("order \(newOrder.url) for \(names.joined(separator: ", "))")
            progress.begin(names: names, stage: "ordered")
            try await store.save(PendingOrder(server: settings.server.directoryURL, names: names, orderURL: newOrder.url, keyPEM: try newKey.pem(encoding: .pkcs8), records: staleRecords), for: spec)
            order = newOrder
            key = newKey
        }
        guard var order, let key else { throw CommandFailure(message: "internal error: no order") }

        if order.status == "pending" {
            let authorizations = try await acme.authorizations(of: order).filter { $0.status == "pending" }
            var work: [(solver: DNS01Solver, challenges: [DNSChallenge])] = []
            var answers: [(ACMEAuthorization, ACMEChallenge)] = []
            for authorization in authorizations {
                guard let challenge = authorization.challenge(type: "dns-01"), let token = challenge.token else {
                    throw CommandFailure(message: "the CA offers no dns-01 challenge for \(authorization.domain)", exitStatus: .acmeRefused)
                }
                let value = await acme.dns01Value(for: token)
                let solver = try solver(for: authorization.domain, in: solvers)
                if let index = work.firstIndex(where: { $0.solver.provider.code == solver.provider.code && $0.solver.ttl == solver.ttl }) {
                    work[index].challenges.append(DNSChallenge(domain: authorization.domain, value: value))
                } else {
                    work.append((solver, [DNSChallenge(domain: authorization.domain, value: value)]))
                }
                answers.append((authorization, challenge))
            }
            // Discover where every record goes, and remember each before it is published, so a
            // killed run's leftovers can be removed.
            var planned: [(solver: DNS01Solver, pairs: [(record: ChallengeRecord, target: ChallengeTarget)])] = []
            for (solver, challenges) in work {
                let pairs = try await solver.records(for: challenges, events: progress.dns)
                planned.append((solver, pairs))
                for (record, _) in pairs {
                    staleRecords.append(.init(fqdn: record.fqdn, zone: record.zone, value: record.value, ttl: record.ttl, provider: solver.provider.code))
                }
            }
            try await store.save(PendingOrder(server: settings.server.directoryURL, names: names, orderURL: order.url, keyPEM: try key.pem(encoding: .pkcs8), records: staleRecords), for: spec)
            do {
                try await publish(planned[...]) {
                    for (_, challenge) in answers { _ = try await acme.respond(to: challenge) }
                    progress.note("asked the CA to validate \(answers.count) name(s)")
                    try await withThrowingTaskGroup(of: Void.self) { group in
                        for (authorization, _) in answers {
                            group.addTask {
                                _ = try await acme.waitForAuthorization(at: authorization.url)
                                progress.stage(authorization.domain.lowercased(), "valid")
                            }
                        }
                        try await group.waitForAll()
                    }
                }
            } catch {
                await removeStale(staleRecords, solvers: solvers)
                throw error
            }
            order = try await acme.order(at: order.url)
        }
        if order.status == "pending" || order.status == "ready" {
            let csr = try CertificateSigningRequest(commonName: spec.commonName ?? names.first { !$0.hasPrefix("*.") }, dnsNames: names, privateKey: key)
            order = try await acme.finalize(order, csr: csr)
            progress.stageAll("finalized")
        } else if order.status == "processing" {
            order = try await acme.waitForOrder(at: order.url)
        }
        guard let certificateURL = order.certificate else {
            throw CommandFailure(message: "the order \(order.url) is \(order.status) and has no certificate", exitStatus: .acmeRefused)
        }
        let chain = try await acme.downloadCertificate(at: certificateURL, preferredChain: settings.preferredChain)
        guard chain.leaf.matches(key) else {
            throw CommandFailure(message: "the certificate the CA returned does not match the key it was ordered with; nothing was written")
        }
        _ = try await writer.write(name: spec.secretName, namespace: spec.namespace, contents: SecretWriter.Contents(
            certificateChainPEM: chain.pem,
            privateKeyPEM: try key.pem(encoding: spec.keyEncoding),
            caPEM: nil,
            annotations: annotations(spec, settings: settings, chain: chain, dnsCodes: solvers.codes)
        ), adopt: adopt, certificateName: spec.certificateName)
        progress.stageAll("stored in Secret \(spec.namespace)/\(spec.secretName)")
        try await store.remove(for: spec)
        await removeStale(staleRecords, solvers: solvers)
        return Issued(spec: spec, notAfter: chain.leaf.notAfter)
    }

    /// Publishes each provider's records in turn (nested), runs `body` with all of them
    /// visible, and lets each solver clean up its own.
    private func publish(_ work: ArraySlice<(solver: DNS01Solver, pairs: [(record: ChallengeRecord, target: ChallengeTarget)])>, body: @escaping () async throws -> Void) async throws {
        guard let first = work.first else { return try await body() }
        try await first.solver.withRecordsPublished(first.pairs, events: progress.dns) {
            try await publish(work.dropFirst(), body: body)
        }
    }

    /// Removes records a killed run published that this run did not clean up itself
    /// (deleting a value that is already gone is harmless).
    private func removeStale(_ records: [PendingOrder.Record], solvers: SolverSet) async {
        // A fresh task, so that cleanup also runs when this one was cancelled (Ctrl-C).
        await Task {
            for record in Set(records) {
                guard let solver = solvers.byCode[record.provider] else { continue }
                try? await solver.provider.cleanUp(ChallengeRecord(fqdn: record.fqdn, zone: record.zone, value: record.value, ttl: record.ttl))
            }
        }.value
    }

    // MARK: - DNS providers

    struct SolverSet {
        /// The solver for each name of the certificate (as ordered, wildcards with `*.`).
        var byDomain: [String: DNS01Solver]
        var byCode: [String: DNS01Solver]
        var codes: [String] { byCode.keys.sorted() }
    }

    func dnsSolvers(for spec: CertificateSpec, settings: IssueSettings) async throws -> SolverSet {
        var byDomain: [String: DNS01Solver] = [:]
        var byCode: [String: DNS01Solver] = [:]
        let discovery = ZoneDiscovery(resolver: resolver)
        for domain in spec.orderNames {
            let (code, environment): (String, ProviderEnvironment)
            switch settings.dns {
            case .provider(let providerCode, let providerEnvironment):
                (code, environment) = (providerCode, providerEnvironment)
            case .solvers(let solvers, let secretNamespace):
                guard let chosen = SolverSelection.choose(for: domain, among: solvers, labels: spec.labels) else {
                    throw CommandFailure(message: "no solver of \(settings.issuer.map { "\($0.kind) \($0.name)" } ?? "the issuer") matches \(domain)", exitStatus: .usage)
                }
                (code, environment) = try await SolverCredentials(client: client).provider(for: chosen, domain: domain, secretNamespace: secretNamespace, issuer: settings.issuer.map { "\($0.kind) \($0.name)" } ?? "the issuer")
            }
            let configured = try ConfiguredProvider(code: code, environment: environment)
            let solver = configured.solver(discovery: discovery, timeout: propagation.timeout, fixedWait: propagation.fixedWait)
            byDomain[domain] = solver
            if byCode[code] == nil { byCode[code] = solver }
        }
        return SolverSet(byDomain: byDomain, byCode: byCode)
    }

    private func solver(for domain: String, in set: SolverSet) throws -> DNS01Solver {
        guard let solver = set.byDomain[domain.lowercased()] else {
            throw CommandFailure(message: "the CA asked to prove \(domain), which is not among the names ordered")
        }
        return solver
    }

    // MARK: - Keys and annotations

    /// A new key, or — with rotationPolicy Never — the stored one when it is of the wanted type.
    private func certificateKey(for spec: CertificateSpec, existing: Secret?) throws -> PrivateKey {
        if spec.reuseStoredKey, let pem = existing?.data["tls.key"], let key = try? PrivateKey(pem: String(decoding: pem, as: UTF8.self)), key.type == spec.keyType {
            return key
        }
        return try PrivateKey.generate(spec.keyType)
    }

    /// The RFC 9773 identifier of the certificate a Secret holds, for `replaces`.
    static func renewalIdentifier(of secret: Secret) throws -> String? {
        guard let pem = secret.data["tls.crt"], let leaf = try Certificate.parseChain(pem: String(decoding: pem, as: UTF8.self)).first else { return nil }
        return try ACMEClient.certificateIdentifier(leaf)
    }

    private func annotations(_ spec: CertificateSpec, settings: IssueSettings, chain: IssuedChain, dnsCodes: [String]) -> [String: String] {
        var annotations = [
            "cert-manager.io/alt-names": chain.leaf.dnsNames.joined(separator: ","),
            "cert-manager.io/common-name": chain.leaf.subjectCommonName ?? "",
            "cert-manager.io/ip-sans": "",
            "cert-manager.io/uri-sans": "",
            "kubectl-certs.io/domains": spec.orderNames.joined(separator: ","),
            "kubectl-certs.io/acme-server": settings.server.directoryURL,
            "kubectl-certs.io/dns-provider": dnsCodes.joined(separator: ","),
            "kubectl-certs.io/key-type": spec.keyType.rawValue,
            "kubectl-certs.io/issued-at": ISO8601DateFormatter().string(from: Date()),
        ]
        if let issuer = settings.issuer {
            annotations["cert-manager.io/issuer-name"] = issuer.name
            annotations["cert-manager.io/issuer-kind"] = issuer.kind
            annotations["cert-manager.io/issuer-group"] = issuer.group
        }
        if let certificate = spec.certificateName { annotations["cert-manager.io/certificate-name"] = certificate }
        return annotations
    }
}
