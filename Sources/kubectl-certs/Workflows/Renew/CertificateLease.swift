import CertCore
import Foundation
import Logging

/// One coordination.k8s.io/v1 Lease per certificate, so that no two renewals of it run at
/// once — two CronJob runs, shards whose sets overlap, or a laptop beside the cluster. The
/// holder renews it while working; a holder that dies blocks nobody for longer than
/// `duration`. Taking and releasing it are conditional writes: of two runs, one wins.
struct CertificateLease: Sendable {
    var client: KubernetesClient
    /// Who holds it: the host (in a pod, the pod's name) and a mark of this process.
    var holder: String
    var duration: Duration = .seconds(60)
    private static let logger = Logger(label: "kubectl-certs.lease")

    static func holderIdentity() -> String {
        "\(ProcessInfo.processInfo.hostName)_\(UUID().uuidString.prefix(8).lowercased())"
    }

    enum Outcome: Sendable {
        case held(Held)
        /// Someone else holds it, and its lease has not run out.
        case heldBy(String)
    }

    /// The Lease's name for a Secret: `kubectl-certs.<secret>`, shortened with a digest to
    /// stay within a name's 253 characters.
    static func name(forSecret secret: String) -> String {
        let name = "kubectl-certs.\(secret)"
        guard name.count > 253 else { return name }
        return "kubectl-certs." + secret.prefix(200) + "." + KubernetesNames.digest(of: secret, bytes: 8)
    }

    func acquire(namespace: String, secret: String) async throws -> Outcome {
        let name = Self.name(forSecret: secret)
        for _ in 1...5 {
            let now = Date()
            if let existing = try await client.getIfPresent(.leases, name: name, namespace: namespace).map(Lease.init(object:)) {
                if let other = existing.holderIdentity, !other.isEmpty, other != holder, !Self.hasRunOut(existing, at: now) {
                    return .heldBy(other)
                }
                var taken = existing
                taken.holderIdentity = holder
                taken.leaseDurationSeconds = Int(duration.seconds)
                taken.object[["spec", "acquireTime"]] = .string(RFC3339.microTime(now))
                taken.renewTime = RFC3339.microTime(now)
                taken.object[["spec", "leaseTransitions"]] = .number(Double((existing.object[["spec", "leaseTransitions"]]?.intValue ?? 0) + 1))
                if let stored = try await write(taken, creating: false) { return .held(Held(lease: self, stored: stored)) }
                continue
            }
            var lease = Lease(name: name, namespace: namespace)
            lease.labels = [SecretWriter.managedByLabel: SecretWriter.managedByValue]
            lease.holderIdentity = holder
            lease.leaseDurationSeconds = Int(duration.seconds)
            lease.object[["spec", "acquireTime"]] = .string(RFC3339.microTime(now))
            lease.renewTime = RFC3339.microTime(now)
            if let stored = try await write(lease, creating: true) { return .held(Held(lease: self, stored: stored)) }
        }
        throw CommandFailure(message: "Lease \(namespace)/\(name) kept changing under us; another renewal is racing for it")
    }

    /// The Lease as stored, or nil when another run wrote it first.
    private func write(_ lease: Lease, creating: Bool) async throws -> Lease? {
        do {
            let object: KubernetesObject
            if creating { object = try await client.create(lease.object) } else { object = try await client.update(lease.object) }
            return Lease(object: object)
        } catch {
            guard error.kind == .conflict || error.kind == .notFound || error.kind == .alreadyExists else { throw error }
            return nil
        }
    }

    static func hasRunOut(_ lease: Lease, at now: Date) -> Bool {
        guard let renewed = lease.renewTime.flatMap(RFC3339.parse) ?? lease.object[["spec", "acquireTime"]]?.stringValue.flatMap(RFC3339.parse) else { return true }
        return now > renewed.addingTimeInterval(TimeInterval(lease.leaseDurationSeconds ?? 0))
    }

    /// A Lease this run holds: renewed every third of its duration until released.
    final class Held: Sendable {
        private let keeper: Task<Void, Never>
        private let lease: CertificateLease
        private let name: String
        private let namespace: String

        init(lease: CertificateLease, stored: Lease) {
            self.lease = lease
            name = stored.name
            namespace = stored.namespace ?? "default"
            keeper = Task { await Self.keep(stored, lease: lease) }
        }

        /// Renews the Lease until cancelled, or until it is lost to another run.
        private static func keep(_ stored: Lease, lease: CertificateLease) async {
            var current = stored
            while !Task.isCancelled {
                try? await Task.sleep(for: lease.duration / 3)
                if Task.isCancelled { return }
                var renewed = current
                renewed.renewTime = RFC3339.microTime(Date())
                do {
                    current = Lease(object: try await lease.client.update(renewed.object))
                } catch {
                    // Cut short by the release, which reads the Lease again.
                    if Task.isCancelled { return }
                    CertificateLease.logger.warning("could not renew Lease \(stored.namespace ?? "")/\(stored.name): \(CommandFailure(error).message)")
                    return
                }
            }
        }

        /// Stops renewing and deletes the Lease while this run still holds it — read again,
        /// since a renewal cut short may or may not have been written.
        func release() async {
            keeper.cancel()
            await keeper.value
            do {
                guard let current = try await lease.client.getIfPresent(.leases, name: name, namespace: namespace).map(Lease.init(object:)),
                      current.holderIdentity == lease.holder else { return }
                try await lease.client.delete(.leases, name: name, namespace: namespace, resourceVersion: current.object.resourceVersion)
            } catch {
                CertificateLease.logger.info("left Lease \(namespace)/\(name) to run out: \(CommandFailure(error).message)")
            }
        }
    }
}
