import CertCore

/// Creates and removes the objects of one HTTP-01 solver in the cluster. The ConfigMap comes
/// first: the others name it as their owner, so the cluster's garbage collector removes them
/// with it even when a run dies before it removes them itself.
struct SolverDeployment {
    var client: KubernetesClient

    /// Creates the solver's objects (or adds its path to the Ingress it edits).
    func create(_ objects: SolverObjects) async throws {
        let parent = try await client.create(objects.configMap())
        let owner = SolverObjects.ownerReference(parent)
        _ = try await client.create(objects.pod(owner: owner))
        _ = try await client.create(objects.service(owner: owner))
        if let edited = objects.solver.editIngress {
            try await IngressEdit(client: client).add(objects.path(), host: objects.challenge.domain, to: edited, namespace: objects.namespace)
        } else {
            _ = try await client.create(objects.ingress(owner: owner))
        }
    }

    /// Removes what a solver set left, the route first (so the controller stops sending
    /// traffic to it) and the parent last. Objects already gone count as removed.
    func remove(_ set: PendingOrder.SolverSet) async throws {
        if let edited = set.editedIngress {
            try await IngressEdit(client: client).remove(path: set.path, service: set.name, host: set.domain, from: edited, namespace: set.namespace)
        } else {
            try await deleteIfPresent(.ingresses, set)
        }
        for type in [ResourceType.services, .pods, .configMaps] { try await deleteIfPresent(type, set) }
    }

    private func deleteIfPresent(_ type: ResourceType, _ set: PendingOrder.SolverSet) async throws {
        do {
            try await client.delete(type, name: set.name, namespace: set.namespace)
        } catch where error.kind == .notFound {
            return
        }
    }
}
