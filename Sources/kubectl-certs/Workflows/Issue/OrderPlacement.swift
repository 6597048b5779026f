import CertCore
import Foundation

/// The first step of an issuance: resume the order an unfinished run left for this Secret, or
/// place a new one; either way the pending-order record names the order and its key before
/// anything is published.
struct OrderPlacement {
    var store: PendingOrderStore
    var progress: ProgressDisplay

    /// An order this run goes on with, the key it is finalized with, and its pending record.
    struct Placed: Sendable {
        var order: ACMEOrder
        var key: PrivateKey
        var pending: PendingOrderStore.Stored
    }

    func resumeOrPlace(_ spec: CertificateSpec, settings: IssueSettings, existing: Secret?, acme: ACMEClient) async throws -> Placed {
        let names = spec.orderNames
        let server = settings.server.directoryURL
        let previous = try await store.load(for: spec)
        if let holder = previous?.order.holder, holder.isRunningHere {
            throw CommandFailure(message: "another kubectl-certs run (process \(holder.pid)) is issuing into Secret \(spec.namespace)/\(spec.secretName): its unfinished order is in Secret \(spec.namespace)/\(PendingOrder.secretName(for: spec.secretName)); run again once it is done")
        }
        if let previous, let resumed = await resume(previous.order, server: server, names: names, acme: acme) {
            // Taking the order over is a conditional write: of two runs resuming it, one goes on.
            var claimed = previous.order
            claimed.holder = .current
            let pending = try await store.update(previous, with: claimed)
            progress.note("resuming order \(resumed.order.url) (\(resumed.order.status)) left by an unfinished run")
            progress.begin(names: names, stage: "resumed (\(resumed.order.status))")
            return Placed(order: resumed.order, key: resumed.key, pending: pending)
        }
        let key = try CertificateKey.make(for: spec, existing: existing)
        let replaces = acme.directory.renewalInfo == nil ? nil : ReplacedCertificate.identifier(in: existing, server: server, account: await acme.accountURL)
        let order = try await acme.newOrder(identifiers: names.map(ACMEIdentifier.dns), replaces: replaces)
        progress.note("order \(order.url) for \(names.joined(separator: ", "))")
        progress.begin(names: names, stage: "ordered")
        // Records an earlier run may have left stay noted until they are removed — also those
        // a finished run left for another Secret when the command ran with another --secret.
        let orphans = try await store.leftForOtherSecrets(spec, server: server)
        let leftSolvers = (previous?.order.http01 ?? []) + orphans.flatMap { $0.order.http01 ?? [] }
        let record = PendingOrder(server: server, names: names, orderURL: order.url, keyPEM: try key.pem(encoding: .pkcs8),
                                  records: (previous?.order.records ?? []) + orphans.flatMap(\.order.records), http01: leftSolvers.isEmpty ? nil : leftSolvers)
        let pending: PendingOrderStore.Stored
        if let previous { pending = try await store.update(previous, with: record) } else { pending = try await store.create(record, for: spec) }
        for orphan in orphans {
            progress.note("taking over \(orphan.order.records.count + (orphan.order.http01?.count ?? 0)) record(s) an unfinished run left in \(orphan.location) (for Secret \(orphan.target))")
            try? await store.remove(orphan)
        }
        return Placed(order: order, key: key, pending: pending)
    }

    /// The earlier run's order and key, when they are for these names on this server and the
    /// order can still be finished.
    private func resume(_ previous: PendingOrder, server: String, names: [String], acme: ACMEClient) async -> (order: ACMEOrder, key: PrivateKey)? {
        guard previous.server == server, previous.names == names,
              let url = previous.orderURL, let pem = previous.keyPEM, let key = try? PrivateKey(pem: pem),
              let order = try? await acme.order(at: url) else { return nil }
        switch order.status {
        case .pending, .ready, .processing, .valid: return (order, key)
        case .invalid, .other: return nil
        }
    }
}

/// The certificate's private key.
enum CertificateKey {
    /// A new key, or — with rotationPolicy Never — the stored one when it is of the wanted type.
    static func make(for spec: CertificateSpec, existing: Secret?) throws -> PrivateKey {
        if spec.reuseStoredKey, let pem = existing?.data["tls.key"], let key = try? PrivateKey(pem: String(decoding: pem, as: UTF8.self)), key.type == spec.keyType {
            return key
        }
        return try PrivateKey.generate(spec.keyType)
    }
}
