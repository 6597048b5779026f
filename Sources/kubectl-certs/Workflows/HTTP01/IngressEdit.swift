import CertCore

/// Adds a challenge path to an Ingress someone else owns and later removes exactly that path,
/// as cert-manager's edit-in-place does. Each change is a JSON patch that first tests the
/// Ingress is still the version read, so a concurrent edit is never overwritten: the patch is
/// refused, the Ingress read again, and the change worked out anew.
struct IngressEdit {
    var client: KubernetesClient
    var attempts = 5

    /// Adds `path` under the rule for `host`, or a rule for `host` when it has none.
    func add(_ path: JSONValue, host: String, to name: String, namespace: String) async throws {
        try await edit(name, namespace: namespace, mustExist: true) { ingress in
            let rules = ingress[["spec", "rules"]]?.arrayValue ?? []
            if let index = rules.firstIndex(where: { $0["host"]?.stringValue?.lowercased() == host.lowercased() && $0["http"]?["paths"]?.arrayValue != nil }) {
                if rules[index]["http"]?["paths"]?.arrayValue?.contains(path) == true { return [] }
                return [["op": "add", "path": .string("/spec/rules/\(index)/http/paths/-"), "value": path]]
            }
            let rule: JSONValue = ["host": .string(host), "http": ["paths": [path]]]
            if ingress[["spec", "rules"]] == nil { return [["op": "add", "path": "/spec/rules", "value": [rule]]] }
            return [["op": "add", "path": "/spec/rules/-", "value": rule]]
        }
    }

    /// Removes each path `path` that routes to `service` under the rule for `host`, and the
    /// rule when nothing else is left in it. An Ingress that is gone has nothing to remove.
    func remove(path: String, service: String, host: String, from name: String, namespace: String) async throws {
        try await edit(name, namespace: namespace, mustExist: false) { ingress in
            let rules = ingress[["spec", "rules"]]?.arrayValue ?? []
            for (ruleIndex, rule) in rules.enumerated() where rule["host"]?.stringValue?.lowercased() == host.lowercased() {
                let paths = rule["http"]?["paths"]?.arrayValue ?? []
                let ours = paths.indices.filter { paths[$0]["path"]?.stringValue == path && paths[$0]["backend"]?["service"]?["name"]?.stringValue == service }
                guard !ours.isEmpty else { continue }
                if ours.count == paths.count, rule.objectValue?.keys.sorted() == ["host", "http"] {
                    // The rule was ours alone; so was the list when it is the only rule in it.
                    return [["op": "remove", "path": .string(rules.count == 1 ? "/spec/rules" : "/spec/rules/\(ruleIndex)")]]
                }
                // From the last, so each index still points where it did when read.
                return ours.reversed().map { ["op": "remove", "path": .string("/spec/rules/\(ruleIndex)/http/paths/\($0)")] }
            }
            return []
        }
    }

    /// Reads the Ingress, works out the operations, and applies them if it has not changed
    /// since; on a change in between, starts over.
    private func edit(_ name: String, namespace: String, mustExist: Bool, operations: (KubernetesObject) -> [JSONValue]) async throws {
        var current = try await client.getIfPresent(.ingresses, name: name, namespace: namespace)
        for _ in 1...attempts {
            guard let ingress = current else {
                guard mustExist else { return }
                throw CommandFailure(message: "ingress \(namespace)/\(name), which the HTTP-01 solver edits, does not exist", exitStatus: .usage)
            }
            let changes = operations(ingress)
            guard !changes.isEmpty else { return }
            let guardVersion: JSONValue = ["op": "test", "path": "/metadata/resourceVersion", "value": .string(ingress.resourceVersion ?? "")]
            let refusal: KubernetesError
            do {
                _ = try await client.jsonPatch(.ingresses, name: name, namespace: namespace, operations: [guardVersion] + changes)
                return
            } catch {
                guard error.kind == .invalid || error.kind == .conflict else { throw error }
                refusal = error
            }
            // Refused because the Ingress changed: start over from what it is now; refused as
            // it stands: say why.
            current = try await client.getIfPresent(.ingresses, name: name, namespace: namespace)
            if current != nil, current?.resourceVersion == ingress.resourceVersion {
                throw CommandFailure(message: "ingress \(namespace)/\(name) refused the HTTP-01 path change: \(refusal.message)")
            }
        }
        throw CommandFailure(message: "ingress \(namespace)/\(name) kept changing while kubectl-certs edited its HTTP-01 paths; try again")
    }
}
