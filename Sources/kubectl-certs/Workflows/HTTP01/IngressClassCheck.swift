import CertCore

/// Before anything is created: the IngressClass the solver names exists. A cluster whose
/// classes cannot be listed (RBAC) is not judged.
enum IngressClassCheck {
    static func verify(_ solver: HTTP01Solver, client: KubernetesClient) async throws {
        guard solver.editIngress == nil, let name = solver.ingressClassName,
              let classes = try? await client.list(IngressClass.self, namespace: nil) else { return }
        guard !classes.contains(where: { $0.name == name }) else { return }
        throw CommandFailure(message: "no IngressClass named \(name) exists; \(describe(classes))", exitStatus: .usage)
    }

    /// "the cluster has a, b (default)", or that it has none.
    static func describe(_ classes: [IngressClass]) -> String {
        let names = classes.map { $0.isDefault ? "\($0.name) (default)" : $0.name }.sorted()
        return names.isEmpty ? "the cluster has no IngressClass at all" : "the cluster has \(names.joined(separator: ", ")); choose one with --ingress-class"
    }
}
