import Foundation
import TestSupport
import Testing

/// `InClusterRun` gives a command what a pod has — the service account's files at
/// /var/run/secrets/kubernetes.io/serviceaccount and KUBERNETES_SERVICE_HOST/PORT — and the test
/// server accepts the service account's token: kubectl-certs and kubectl find the in-cluster
/// configuration and act as `system:serviceaccount:NS:NAME`, with the rights RBAC objects give it.
/// Each test starts a server of its own from this checkout.
@Suite(.lab) struct InClusterRunTests {
    static let serviceAccountDirectory = "/var/run/secrets/kubernetes.io/serviceaccount"

    /// A ClusterRole with what `kubectl certs status -A` reads, bound to the service account.
    static func statusReader(namespace: String, serviceAccount: String, role: String) -> String {
        """
        apiVersion: rbac.authorization.k8s.io/v1
        kind: ClusterRole
        metadata: {name: \(role)}
        rules:
        - {apiGroups: [""], resources: [secrets], verbs: [get, list]}
        - {apiGroups: [networking.k8s.io], resources: [ingresses], verbs: [get, list]}
        - {apiGroups: [cert-manager.io], resources: [certificates], verbs: [get, list]}
        ---
        apiVersion: rbac.authorization.k8s.io/v1
        kind: ClusterRoleBinding
        metadata: {name: \(role)}
        roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: \(role)}
        subjects:
        - {kind: ServiceAccount, name: \(serviceAccount), namespace: \(namespace)}

        """
    }

    /// Creates a `kubernetes.io/tls` Secret `name` in `namespace` for `host`, with a fresh key and certificate.
    static func createTLSSecret(_ kube: KubeTestCluster, namespace: String, name: String, host: String) async throws {
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        let key = scratch.url.appendingPathComponent("tls.key").path
        let cert = scratch.url.appendingPathComponent("tls.crt").path
        let openssl = try await Subprocess.run("openssl", [
            "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
            "-keyout", key, "-out", cert, "-subj", "/CN=\(host)", "-addext", "subjectAltName=DNS:\(host)", "-days", "30",
        ])
        try #require(openssl.status == 0, "openssl: \(openssl.stderr)")
        try #require(try await kube.kubectl(["create", "secret", "tls", name, "--cert", cert, "--key", key, "-n", namespace]).status == 0)
    }

    static func apply(_ kube: KubeTestCluster, _ yaml: String) async throws {
        let applied = try await kube.kubectl(["apply", "-f", "-"], input: Data(yaml.utf8))
        try #require(applied.status == 0, "\(applied.stderr)")
    }

    static var kubectlCerts: String {
        Subprocess.buildDirectory.appendingPathComponent("kubectl-certs").path
    }

    @Test func statusRunsInClusterAsTheServiceAccount_AgainstKubeTestServer() async throws {
        #expect(!FileManager.default.fileExists(atPath: Self.serviceAccountDirectory), "the host must not have a service account of its own")
        let kube = try await KubeTestCluster.own()
        let ns = try await kube.makeNamespace("incluster-status")
        try await Self.createTLSSecret(kube, namespace: ns, name: "shop-tls", host: "shop.example.test")
        let pod = try await InClusterRun(cluster: kube, namespace: ns, serviceAccount: "certs-status")
        try await Self.apply(kube, Self.statusReader(namespace: ns, serviceAccount: "certs-status", role: "certs-status-reader"))

        let status = try await pod.run(Self.kubectlCerts, ["status", "-A", "-o", "json"])
        #expect(status.status == 0, "\(status.stderr)")
        let report = try #require(try JSONSerialization.jsonObject(with: Data(status.stdout.utf8)) as? [String: Any], "\(status.stdout)")
        let items = report["items"] as? [[String: Any]] ?? []
        #expect(items.map { "\($0["namespace"] ?? "")/\($0["name"] ?? "")" } == ["\(ns)/secret/shop-tls"],
                "\(status.stdout)")
        #expect((report["notes"] as? [String] ?? []).isEmpty, "nothing was forbidden: \(status.stdout)")
        #expect(!FileManager.default.fileExists(atPath: Self.serviceAccountDirectory), "the pod's files stayed in its mount namespace")

        let log = try await kube.succeed(["get", "--raw", "/_test/requests"])
        let requests = try #require(try JSONSerialization.jsonObject(with: Data(log.utf8)) as? [String: Any])
        let users = Set((requests["requests"] as? [[String: Any]] ?? []).filter { ($0["path"] as? String) == "/api/v1/secrets" }.compactMap { $0["user"] as? String })
        #expect(users == ["system:serviceaccount:\(ns):certs-status"])
    }

    @Test func withoutTheServiceAccountFilesThereIsNoConfiguration_AgainstKubeTestServer() async throws {
        let kube = try await KubeTestCluster.own()
        let ns = try await kube.makeNamespace("incluster-none")
        let pod = try await InClusterRun(cluster: kube, namespace: ns, serviceAccount: "certs-none")
        let status = try await pod.runWithoutServiceAccount(Self.kubectlCerts, ["status", "-A", "-o", "json"])
        #expect(status.status == 2, "a configuration the user must give: \(status.stderr)")
        #expect(status.stdout.isEmpty)
        #expect(status.stderr.contains("no kubeconfig: set KUBECONFIG, pass --kubeconfig, or create "), "\(status.stderr)")
    }

    @Test func thePodSeesTheHostsRunAndItsOwnServiceAccountFiles_AgainstKubeTestServer() async throws {
        let kube = try await KubeTestCluster.own()
        let ns = try await kube.makeNamespace("incluster-files")
        let pod = try await InClusterRun(cluster: kube, namespace: ns, serviceAccount: "certs-files")
        let hostRun = try FileManager.default.contentsOfDirectory(atPath: "/run").filter { $0 != "secrets" }.sorted()
        let listed = try await pod.run("/bin/sh", ["-c", """
            ls -A /run; echo ---; ls /var/run/secrets/kubernetes.io/serviceaccount; echo ---
            cat /var/run/secrets/kubernetes.io/serviceaccount/namespace; echo; echo ---; echo "$KUBERNETES_SERVICE_HOST $HOME ${KUBECONFIG-unset} $RUN_MARK"
            echo ---; ls -A "$(getent passwd "$(id -u)" | cut -d: -f6)/.kube" 2>/dev/null | wc -l
            """], environment: ["RUN_MARK": "files-mark"])
        #expect(listed.status == 0, "\(listed.stderr)")
        let parts = listed.stdout.components(separatedBy: "---\n")
        try #require(parts.count == 5, "\(listed.stdout)")
        let runEntries: [String] = parts[0].split(separator: "\n").map(String.init).filter { $0 != "secrets" }.sorted()
        #expect(runEntries == hostRun)
        #expect(parts[1] == "ca.crt\nnamespace\ntoken\n")
        #expect(parts[2] == "\(ns)\n")
        #expect(parts[3].hasPrefix("127.0.0.1 /") && parts[3].hasSuffix(" unset files-mark\n"), "\(parts[3])")
        #expect(parts[4].trimmingCharacters(in: .whitespacesAndNewlines) == "0", "the user's ~/.kube looks empty to the pod")
    }

    @Test func kubectlInTheRunActsAsTheServiceAccountUntilItIsDeleted_AgainstKubeTestServer() async throws {
        let kube = try await KubeTestCluster.own()
        let ns = try await kube.makeNamespace("incluster-kubectl")
        try await Self.createTLSSecret(kube, namespace: ns, name: "kubectl-tls", host: "kubectl.example.test")
        let pod = try await InClusterRun(cluster: kube, namespace: ns, serviceAccount: "certs-kubectl")

        let refused = try await pod.run("kubectl", ["get", "secrets"])
        #expect(refused.status == 1)
        #expect(refused.stderr == """
            Error from server (Forbidden): secrets is forbidden: User "system:serviceaccount:\(ns):certs-kubectl" \
            cannot list resource "secrets" in API group "" in the namespace "\(ns)"

            """)
        try await Self.apply(kube, Self.statusReader(namespace: ns, serviceAccount: "certs-kubectl", role: "certs-kubectl-reader"))
        let allowed = try await pod.run("kubectl", ["get", "secrets", "-o", "name"])
        #expect(allowed.stdout == "secret/kubectl-tls\n", "\(allowed.stderr)")

        try await kube.succeed(["delete", "serviceaccount", "certs-kubectl", "-n", ns])
        let gone = try await pod.run("kubectl", ["get", "secrets", "-o", "name"])
        #expect(gone.status == 1)
        #expect(gone.stderr.contains("the server has asked for the client to provide credentials"), "\(gone.stderr)")
    }
}
