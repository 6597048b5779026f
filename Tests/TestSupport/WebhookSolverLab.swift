import Foundation

/// A cert-manager webhook solver of the test's own (lab/webhook-solver, publishing into the lab's
/// BIND with nsupdate), registered with the real kubectl as the APIService of a group of its own
/// so the API test server aggregates `/apis/<group>/v1alpha1/lab-dns` to it.
public struct WebhookSolverLab: Sendable {
    public let process: ServerProcess
    public let group: String
    public let name = "lab-dns"

    /// `backendDown` registers a backend where nothing listens instead (a solver that is down).
    public init(_ lab: IssueLab, backendDown: Bool = false) async throws {
        let ca = URL(fileURLWithPath: lab.caBundle).deletingLastPathComponent()
        group = "\(uniqueLabel("acme")).lab.test"
        let keyFile = Lab.directory.appendingPathComponent("dns/keys/\(lab.tsigKey).key").path
        process = try await ServerProcess("python3", [
            Lab.repositoryRoot.appendingPathComponent("lab/webhook-solver/webhook_solver.py").path,
            "--cert", ca.appendingPathComponent("localhost.pem").path, "--key", ca.appendingPathComponent("localhost-key.pem").path,
            "--group", group, "--solver", name, "--key-file", keyFile, "--nameserver", "\(lab.primary):53",
        ])
        let caBundle = try Data(contentsOf: URL(fileURLWithPath: lab.caBundle)).base64EncodedString()
        let manifest = """
        apiVersion: apiregistration.k8s.io/v1
        kind: APIService
        metadata:
          name: v1alpha1.\(group)
          annotations:
            kube-test-server.lab/backend: https://127.0.0.1:\(backendDown ? 9 : process.port)
        spec:
          group: \(group)
          version: v1alpha1
          service: {namespace: cert-manager, name: lab-dns-webhook, port: 443}
          caBundle: \(caBundle)
          groupPriorityMinimum: 1000
          versionPriority: 15
        """
        let applied = try await Subprocess.run("kubectl", ["apply", "-f", "-"], environment: ["KUBECONFIG": lab.kubeconfig], input: Data(manifest.utf8))
        guard applied.status == 0 else { throw Lab.NotRunning(component: "kube", variable: "APIService v1alpha1.\(group): \(applied.stderr)") }
    }

    /// The ChallengePayloads the solver received, in order.
    public func payloads() throws -> [[String: Any]] {
        try process.outputLines.filter { $0.hasPrefix("REQUEST ") }.map {
            try JSONSerialization.jsonObject(with: Data($0.dropFirst("REQUEST ".count).utf8)) as? [String: Any] ?? [:]
        }
    }
}
