import CertCore
import Foundation
import TestSupport

/// The lab with its data plane: Pebble validates HTTP-01 on port 80 of the lab's ingress
/// controller, which every `<name>.<LAB_INGRESS_DOMAIN>` resolves to.
struct HTTP01Lab {
    let lab: IssueLab
    /// Every name under it resolves to the ingress controller.
    let domain: String
    let ingressClass: String
    let namespace: String

    init() async throws {
        lab = try IssueLab()
        let ingress = try Lab.IngressSettings()
        domain = ingress.domain
        ingressClass = ingress.ingressClass
        namespace = try await lab.namespace()
    }

    /// A name of this test's own under the ingress domain.
    func host(_ prefix: String) -> String { "\(prefix).\(uniqueLabel("h")).\(domain)" }

    static let solverKinds: [ResourceType] = [.configMaps, .pods, .services, .ingresses]

    /// Every object of the namespace that carries the solver label, as `kind/name`.
    func solverObjects() async throws -> [String] {
        var found: [String] = []
        for type in Self.solverKinds {
            found += try await lab.client.list(type, namespace: namespace, labelSelector: "kubectl-certs.io/http01-solver=true").map { "\(type.plural)/\($0.name)" }
        }
        return found
    }

    /// `kubectl certs ARGUMENTS` in the test's namespace, with the lab's CA and resolver.
    func run(_ arguments: [String]) async throws -> Subprocess.Result {
        try await Subprocess.run("kubectl", ["certs"] + arguments + ["-n", namespace, "--dns-resolver", lab.resolver], environment: lab.environment)
    }

    func issue(_ arguments: [String]) async throws -> Subprocess.Result {
        try await lab.issue(arguments + ["-n", namespace])
    }

    /// The names of the certificate in a Secret.
    func certificateNames(_ secret: String) async throws -> Set<String> {
        let stored = try await lab.secret(secret, namespace)
        let chain = try Certificate.parseChain(pem: String(decoding: stored.data["tls.crt"] ?? Data(), as: UTF8.self))
        return Set(chain.first?.dnsNames ?? [])
    }

    func pendingRecord(_ secret: String) async throws -> KubernetesObject? {
        try await lab.client.getIfPresent(.secrets, name: "kubectl-certs-pending-\(secret)", namespace: namespace)
    }
}
