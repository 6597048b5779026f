import Foundation
import TestSupport
import Testing

/// `kubectl certs <TAB>` as kubectl 1.26+ completes it: the real kubectl runs
/// `kubectl_complete-certs` from PATH with the plugin's words and reads cobra's format. PATH
/// holds a directory with symlinks to this build's `kubectl-certs` and the shipped
/// `scripts/kubectl_complete-certs`, as an installation puts them side by side.
@Suite(.lab) final class PluginCompletionTests {
    let plugins: ScratchDirectory
    let path: String

    init() throws {
        plugins = try ScratchDirectory()
        let fileManager = FileManager.default
        try fileManager.createSymbolicLink(atPath: plugins.url.appendingPathComponent("kubectl-certs").path,
                                           withDestinationPath: Subprocess.buildDirectory.appendingPathComponent("kubectl-certs").path)
        try fileManager.createSymbolicLink(atPath: plugins.url.appendingPathComponent("kubectl_complete-certs").path,
                                           withDestinationPath: Lab.repositoryRoot.appendingPathComponent("scripts/kubectl_complete-certs").path)
        path = "\(plugins.url.path):\(ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin")"
    }

    deinit { plugins.remove() }

    /// `kubectl __complete certs WORDS...` with KUBECONFIG at `kubeconfig`: the candidates (the
    /// text before any tab) and the directive line.
    func kubectlComplete(_ words: [String], kubeconfig: String) async throws -> (candidates: [String], directive: String) {
        let result = try await Subprocess.run("kubectl", ["__complete", "certs"] + words, environment: ["PATH": path, "KUBECONFIG": kubeconfig])
        #expect(result.status == 0, "kubectl __complete certs \(words): \(result.stderr)")
        var lines = result.stdout.split(separator: "\n").map(String.init)
        let directive = lines.popLast() ?? ""
        return (lines.map { String($0.prefix { $0 != "\t" }) }, directive)
    }

    @Test func theHelperListsTheProvidersForDNS() async throws {
        let helper = plugins.url.appendingPathComponent("kubectl_complete-certs").path
        let result = try await Subprocess.run(helper, ["__complete", "issue", "--dns", ""], environment: ["PATH": path])
        #expect(result.status == 0)
        #expect(result.stderr.isEmpty)
        let listed = try await Subprocess.run("kubectl-certs", ["providers", "-o", "json"], environment: ["PATH": path])
        let providers = try JSONSerialization.jsonObject(with: Data(listed.stdout.utf8)) as? [String: Any]
        let codes = (providers?["providers"] as? [[String: Any]] ?? []).compactMap { $0["code"] as? String }
        #expect(codes.contains("rfc2136") && codes.contains("cloudflare"))
        let lines = result.stdout.split(separator: "\n").map { String($0.prefix { $0 != "\t" }) }
        #expect(lines == codes + [":4"])
    }

    @Test func kubectlCompletesSubcommandsFlagsAndProvidersThroughThePlugin() async throws {
        let (subcommands, _) = try await kubectlComplete(["pro"], kubeconfig: "/nonexistent")
        #expect(subcommands == ["providers"])
        let (flags, _) = try await kubectlComplete(["status", "--fail"], kubeconfig: "/nonexistent")
        #expect(flags == ["--fail-on"])
        let (providers, directive) = try await kubectlComplete(["issue", "--dns", "ro"], kubeconfig: "/nonexistent")
        #expect(providers == ["route53"])
        #expect(directive == ":4")
    }

    @Test func kubectlCompletesNamespaces_AgainstKubeTestServer() async throws {
        let cluster = try KubeTestCluster()
        var created: [String] = []
        for purpose in ["cmpl-alpha", "cmpl-beta", "cmpl-gamma"] { created.append(try await cluster.makeNamespace(purpose)) }
        defer { created.forEach(cluster.dropNamespace) }
        let (all, directive) = try await kubectlComplete(["status", "-n", ""], kubeconfig: cluster.kubeconfig)
        #expect(directive == ":4")
        for namespace in created { #expect(all.contains(namespace), "\(namespace) not in \(all)") }
        let (some, _) = try await kubectlComplete(["status", "-n", "kf-cmpl-beta"], kubeconfig: cluster.kubeconfig)
        #expect(some == [created[1]])
    }

    @Test func kindPrefixesCompleteToTheNamespacesObjects_AgainstKubeTestServer() async throws {
        let cluster = try KubeTestCluster()
        let namespace = try await cluster.makeNamespace("cmpl-targets")
        let other = try await cluster.makeNamespace("cmpl-elsewhere")
        defer { [namespace, other].forEach(cluster.dropNamespace) }
        func ingress(_ name: String, in namespace: String) -> String {
            """
            apiVersion: networking.k8s.io/v1
            kind: Ingress
            metadata: {name: \(name), namespace: \(namespace)}
            spec:
              rules: [{host: \(name).example.test, http: {paths: [{path: /, pathType: Prefix, backend: {service: {name: \(name), port: {number: 80}}}}]}}]
              tls: [{hosts: [\(name).example.test], secretName: \(name)-tls}]

            """
        }
        let objects = [ingress("shop-front", in: namespace), ingress("shop-api", in: namespace), ingress("not-here", in: other),
                       "apiVersion: v1\nkind: Secret\nmetadata: {name: shop-front-tls, namespace: \(namespace)}\ntype: Opaque\ndata: {}\n"]
        let applied = try await cluster.kubectl(["apply", "-f", "-"], input: Data(objects.joined(separator: "---\n").utf8))
        try #require(applied.status == 0, "\(applied.stderr)")

        let (ingresses, _) = try await kubectlComplete(["status", "-n", namespace, "ingress/"], kubeconfig: cluster.kubeconfig)
        #expect(ingresses.sorted() == ["ingress/shop-api", "ingress/shop-front"])
        let (short, _) = try await kubectlComplete(["renew", "--namespace=\(namespace)", "ing/shop-f"], kubeconfig: cluster.kubeconfig)
        #expect(short == ["ing/shop-front"])
        let (secrets, _) = try await kubectlComplete(["status", "-n", namespace, "secret/shop"], kubeconfig: cluster.kubeconfig)
        #expect(secrets == ["secret/shop-front-tls"])
        // Each namespace's own: the other namespace's Ingress is listed for it alone.
        let (elsewhere, _) = try await kubectlComplete(["issue", "-n", other, "ingress/"], kubeconfig: cluster.kubeconfig)
        #expect(elsewhere == ["ingress/not-here"])
    }

    @Test func contextsAreTheKubeconfigs_AgainstKubeTestServer() async throws {
        let cluster = try KubeTestCluster()
        let (contexts, _) = try await kubectlComplete(["status", "--context", ""], kubeconfig: cluster.kubeconfig)
        #expect(contexts.sorted() == ["lab-admin", "lab-reader"])
    }

    @Test func anUnreachableServerGivesNoCandidatesAndNoMessage() async throws {
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        let port = try OwnPebble.freePort()
        let kubeconfig = try scratch.write("kubeconfig", """
            apiVersion: v1
            kind: Config
            clusters: [{name: gone, cluster: {server: "https://127.0.0.1:\(port)"}}]
            users: [{name: someone, user: {token: not-a-real-token}}]
            contexts: [{name: gone, context: {cluster: gone, user: someone}}]
            current-context: gone

            """)
        let helper = plugins.url.appendingPathComponent("kubectl_complete-certs").path
        for words in [["status", "-n", ""], ["status", "ingress/"], ["issue", "--cluster-issuer", ""]] {
            let result = try await Subprocess.run(helper, words, environment: ["PATH": path, "KUBECONFIG": kubeconfig])
            #expect(result.status == 0)
            #expect(result.stdout == ":4\n", "\(words): \(result.stdout)")
            #expect(result.stderr.isEmpty, "\(words): \(result.stderr)")
        }
        let (candidates, directive) = try await kubectlComplete(["status", "-n", ""], kubeconfig: kubeconfig)
        #expect(candidates.isEmpty)
        #expect(directive == ":4")
    }
}
