import CertCore

/// Removes what `install` made in one namespace, found by its labels, and nothing else.
struct UninstallWorkflow {
    var client: KubernetesClient

    struct Outcome {
        /// kubectl's line for each object removed, in order.
        var deleted: [String] = []
        /// What was left in place, and why.
        var notes: [String] = []
    }

    /// The CronJob goes first, so no new run starts (Kubernetes removes its Jobs and their pods
    /// with it), then the access, then the namespace when install made it and it holds nothing
    /// of anyone else's.
    func run(namespace: String, deleted report: (String) -> Void) async throws -> Outcome {
        var outcome = Outcome()
        let selector = RenewalInstallation.selector(namespace: namespace)
        let kinds: [(type: ResourceType, namespace: String?)] = [
            (.cronJobs, namespace), (.clusterRoleBindings, nil), (.clusterRoles, nil), (.serviceAccounts, namespace),
        ]
        for kind in kinds {
            for object in try await client.list(kind.type, namespace: kind.namespace, labelSelector: selector) {
                if try await delete(kind.type, object) {
                    let line = "\(KubernetesNames.kind(of: object)) \"\(object.name)\" deleted"
                    outcome.deleted.append(line)
                    report(line)
                }
            }
        }
        guard let space = try await client.getIfPresent(.namespaces, name: namespace),
              RenewalInstallation.selectorLabels(namespace: namespace).allSatisfy({ space.labels[$0.key] == $0.value }) else {
            return outcome
        }
        let secrets = try await client.list(.secrets, namespace: namespace)
        if secrets.isEmpty {
            if try await delete(.namespaces, space) {
                let line = "namespace \"\(namespace)\" deleted"
                outcome.deleted.append(line)
                report(line)
            }
        } else {
            let names = secrets.map(\.name).sorted()
            outcome.notes.append("namespace \"\(namespace)\" kept: install made it, but it holds \(names.count == 1 ? "the Secret" : "the Secrets") \(names.joined(separator: ", ")) that install did not make; when you no longer need \(names.count == 1 ? "it" : "them"), kubectl delete namespace \(namespace)")
        }
        return outcome
    }

    /// Deletes exactly the object listed (its uid as precondition); false when it was gone already.
    private func delete(_ type: ResourceType, _ object: KubernetesObject) async throws -> Bool {
        do {
            try await client.delete(type, name: object.name, namespace: object.namespace, uid: object.uid)
            return true
        } catch where error.kind == .notFound {
            return false
        }
    }
}
