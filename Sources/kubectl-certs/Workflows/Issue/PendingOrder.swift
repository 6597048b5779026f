import CertCore
import DNS01
import Foundation

/// What an interrupted issuance leaves behind so that running the same command again can
/// finish it: the order, the certificate key it must be finalized with, and the challenge
/// records it may have published. Kept in a Secret of its own beside the target, so the target
/// Secret is never half-written; removed once the certificate is stored.
struct PendingOrder: Codable, Sendable {
    var server: String
    var names: [String]
    var orderURL: String
    var keyPEM: String
    var records: [Record]

    struct Record: Codable, Sendable, Hashable {
        var fqdn: String
        var zone: String
        var value: String
        var ttl: Int
        var provider: String
    }

    static func secretName(for target: String) -> String {
        let name = "kubectl-certs-pending-" + target
        return String(name.prefix(253))
    }
}

/// Reads and writes `PendingOrder`s.
struct PendingOrderStore {
    var client: KubernetesClient

    func load(for spec: CertificateSpec) async throws -> PendingOrder? {
        guard let secret = try await client.getIfPresent(.secrets, name: PendingOrder.secretName(for: spec.secretName), namespace: spec.namespace).map(Secret.init(object:)),
              let data = secret.data["pending.json"] else { return nil }
        return try? JSONDecoder().decode(PendingOrder.self, from: data)
    }

    func save(_ pending: PendingOrder, for spec: CertificateSpec) async throws {
        var secret = Secret(name: PendingOrder.secretName(for: spec.secretName), namespace: spec.namespace)
        secret.labels = [SecretWriter.managedByLabel: SecretWriter.managedByValue]
        secret.annotations = ["kubectl-certs.io/pending-for": spec.secretName]
        secret.setData("pending.json", try JSONEncoder().encode(pending))
        if let existing = try await client.getIfPresent(.secrets, name: secret.name, namespace: spec.namespace) {
            secret.object.resourceVersion = existing.resourceVersion
            _ = try await client.update(secret.object)
        } else {
            _ = try await client.create(secret.object)
        }
    }

    func remove(for spec: CertificateSpec) async throws {
        do {
            try await client.delete(.secrets, name: PendingOrder.secretName(for: spec.secretName), namespace: spec.namespace)
        } catch where error.kind == .notFound {
            return
        }
    }
}
