import CertCore
import DNS01
import Foundation

/// What an unfinished issuance leaves behind so that running the same command again can
/// finish it: the order, the certificate key it must be finalized with, and the challenge
/// records it may have published. Kept in a Secret of its own beside the target, so the target
/// Secret is never half-written; removed once no record is left to clean up.
struct PendingOrder: Codable, Sendable {
    var server: String
    var names: [String]
    /// The order and its key; nil once only records are left to remove.
    var orderURL: String?
    var keyPEM: String?
    var records: [Record]
    /// HTTP-01 solver objects a run planned in the cluster; nil in records of runs before HTTP-01.
    var http01: [SolverSet]? = nil
    /// The run working on the order; nil in records written before runs were named.
    var holder: RunHolder? = .current

    struct Record: Codable, Sendable, Hashable {
        var fqdn: String
        var zone: String
        var value: String
        var ttl: Int
        /// The provider code.
        var provider: String
        /// Which of the issuer's solvers published it; nil for `--dns`.
        var issuerSolver: Int?
        /// The name validated and the ACME challenge, for providers that are told them when a
        /// record is removed too (webhooks, RAW hooks). Neither is secret.
        var domain: String?
        var token: String?
        var keyAuthorization: String?

        init(_ record: ChallengeRecord, solver: SolverIdentity) {
            fqdn = record.fqdn
            zone = record.zone
            value = record.value
            ttl = record.ttl
            provider = solver.provider
            issuerSolver = solver.issuerSolver
            domain = record.domain
            token = record.acme?.token
            keyAuthorization = record.acme?.keyAuthorization
        }

        var solver: SolverIdentity { SolverIdentity(provider: provider, issuerSolver: issuerSolver) }
        var challengeRecord: ChallengeRecord {
            let acme = token.flatMap { token in keyAuthorization.map { ACMEChallengeText(token: token, keyAuthorization: $0) } }
            return ChallengeRecord(fqdn: fqdn, zone: zone, value: value, ttl: ttl, domain: domain, acme: acme)
        }
    }

    /// The objects that serve one HTTP-01 challenge (ConfigMap, Pod, Service and Ingress of one
    /// name), or the path added to an existing Ingress in place of the Ingress.
    struct SolverSet: Codable, Sendable, Hashable, CustomStringConvertible {
        var namespace: String
        var name: String
        var domain: String
        var path: String
        /// The Ingress the path was added to, instead of an Ingress of its own.
        var editedIngress: String?

        var description: String {
            let route = editedIngress.map { "the path \(path) in ingress \(namespace)/\($0)" } ?? "ingress"
            return "HTTP-01 solver \(namespace)/\(name) (configmap, pod, service, \(route)) for \(domain)"
        }
    }

    static let prefix = "kubectl-certs-pending-"

    /// The Secret's name: the prefix and the target's name; a name too long for Kubernetes
    /// (253) is cut and given a hash of the whole, so two long names never share one.
    static func secretName(for target: String) -> String {
        let name = prefix + target
        guard name.count > 253 else { return name }
        let hash = KubernetesNames.digest(of: target, bytes: 6)
        let stem = String(name.prefix(253 - hash.count - 1)).trimmingCharacters(in: CharacterSet(charactersIn: "-."))
        return stem + "-" + hash
    }
}

/// Reads and writes `PendingOrder`s, each write conditional on what this run read or wrote
/// last, so two runs never overwrite or delete each other's.
struct PendingOrderStore {
    var client: KubernetesClient

    /// A pending order as stored, with what identifies that version of its Secret.
    struct Stored: Sendable {
        var order: PendingOrder
        var name: String
        var namespace: String
        /// The Secret the order is for.
        var target: String
        var uid: String?
        var resourceVersion: String?

        var location: String { "Secret \(namespace)/\(name)" }
    }

    /// The pending order for `spec`'s Secret; an unreadable one is reported, never overwritten.
    func load(for spec: CertificateSpec) async throws -> Stored? {
        let name = PendingOrder.secretName(for: spec.secretName)
        guard let object = try await client.getIfPresent(.secrets, name: name, namespace: spec.namespace) else { return nil }
        guard let data = Secret(object: object).data["pending.json"], let order = try? JSONDecoder().decode(PendingOrder.self, from: data) else {
            throw CommandFailure(message: "Secret \(spec.namespace)/\(name) should hold an unfinished order of kubectl-certs but does not parse; delete it if no run is using it")
        }
        return Stored(order: order, name: name, namespace: spec.namespace, target: spec.secretName, uid: object.uid, resourceVersion: object.resourceVersion)
    }

    /// Unfinished orders for the same names on the same server that runs left for another
    /// Secret of the namespace (the command was run again with another `--secret`), whose run is
    /// known to be over: one of this host that no longer runs, or one too old to name its run.
    /// A record of a run on another host is left alone: it cannot be told from a live one.
    func leftForOtherSecrets(_ spec: CertificateSpec, server: String) async throws -> [Stored] {
        let objects = try await client.list(.secrets, namespace: spec.namespace, labelSelector: "\(SecretWriter.managedByLabel)=\(SecretWriter.managedByValue)")
        return objects.compactMap { object -> Stored? in
            let secret = Secret(object: object)
            guard object.name.hasPrefix(PendingOrder.prefix), let target = secret.annotations["kubectl-certs.io/pending-for"], target != spec.secretName,
                  let data = secret.data["pending.json"], let order = try? JSONDecoder().decode(PendingOrder.self, from: data),
                  order.server == server, order.names == spec.orderNames, !order.records.isEmpty || !(order.http01 ?? []).isEmpty else { return nil }
            if let holder = order.holder, holder.host != RunHolder.current.host || holder.isRunningHere { return nil }
            return Self.stored(order, from: object, target: target)
        }
    }

    /// Creates the record; fails when one exists (another run's).
    func create(_ order: PendingOrder, for spec: CertificateSpec) async throws -> Stored {
        let secret = try Self.secret(order, name: PendingOrder.secretName(for: spec.secretName), namespace: spec.namespace, target: spec.secretName)
        do {
            return Self.stored(order, from: try await client.create(secret.object), target: spec.secretName)
        } catch {
            guard error.kind == .alreadyExists else { throw error }
            throw CommandFailure(message: "another kubectl-certs run is issuing into Secret \(spec.namespace)/\(spec.secretName): its unfinished order is in Secret \(spec.namespace)/\(secret.name); run again once it is done, or delete that Secret if no run is active")
        }
    }

    /// Replaces the record with `order`, only if it is still the version of `stored`.
    func update(_ stored: Stored, with order: PendingOrder) async throws -> Stored {
        var secret = try Self.secret(order, name: stored.name, namespace: stored.namespace, target: stored.target)
        secret.object.resourceVersion = stored.resourceVersion
        do {
            return Self.stored(order, from: try await client.update(secret.object), target: stored.target)
        } catch {
            guard error.kind == .conflict || error.kind == .notFound else { throw error }
            throw CommandFailure(message: "the unfinished order in \(stored.location) was changed or removed by another run; this run stops so as not to overwrite it")
        }
    }

    /// Deletes the record, only if it is still the version of `stored`.
    func remove(_ stored: Stored) async throws {
        do {
            try await client.delete(.secrets, name: stored.name, namespace: stored.namespace, uid: stored.uid, resourceVersion: stored.resourceVersion)
        } catch {
            switch error.kind {
            case .notFound: return
            case .conflict: throw CommandFailure(message: "the unfinished order in \(stored.location) was changed by another run; it is left for that run")
            default: throw error
            }
        }
    }

    private static func secret(_ order: PendingOrder, name: String, namespace: String, target: String) throws -> Secret {
        var secret = Secret(name: name, namespace: namespace)
        secret.labels = [SecretWriter.managedByLabel: SecretWriter.managedByValue]
        secret.annotations = ["kubectl-certs.io/pending-for": target]
        secret.setData("pending.json", try JSONEncoder().encode(order))
        return secret
    }

    private static func stored(_ order: PendingOrder, from object: KubernetesObject, target: String) -> Stored {
        Stored(order: order, name: object.name, namespace: object.namespace ?? "", target: target, uid: object.uid, resourceVersion: object.resourceVersion)
    }
}
