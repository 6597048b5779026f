@testable import CertCore
import Foundation
import TestSupport
import Testing

/// kubeconfig loading with kubectl's rules, on files these tests write.
@Suite struct KubeConfigLoaderTests {
    let directory: URL

    init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("kubeconfig-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory.appendingPathComponent("sub/certs"), withIntermediateDirectories: true)
    }

    func write(_ name: String, _ text: String) throws -> String {
        let url = directory.appendingPathComponent(name)
        try text.write(to: url, atomically: true, encoding: .utf8)
        return url.path
    }

    func environment(_ variables: [String: String] = [:], serviceAccount: URL? = nil) -> KubeConfigLoader.Environment {
        KubeConfigLoader.Environment(variables: variables, homeDirectory: directory.appendingPathComponent("home"),
                                     serviceAccountDirectory: serviceAccount ?? directory.appendingPathComponent("no-sa"))
    }

    static let first = """
    apiVersion: v1
    kind: Config
    current-context: one
    clusters:
    - name: c1
      cluster:
        server: https://one.example:6443
        certificate-authority: certs/ca.pem
        tls-server-name: kubernetes
        proxy-url: http://proxy.example:3128
    users:
    - name: u1
      user:
        token: first-token
    contexts:
    - name: one
      context: {cluster: c1, user: u1, namespace: team-a}
    - name: shared
      context: {cluster: c1, user: u1}
    """

    static let second = """
    current-context: two
    clusters:
    - name: c2
      cluster: {server: "https://two.example", insecure-skip-tls-verify: true}
    users:
    - name: u2
      user: {username: admin, password: hunter2}
    contexts:
    - name: two
      context: {cluster: c2, user: u2}
    - name: shared
      context: {cluster: c2, user: u2, namespace: ignored}
    """

    @Test func kubeconfigFilesMergeWithTheFirstValueWinning() throws {
        _ = try write("sub/certs/ca.pem", "CA PEM")
        let one = try write("sub/one.yaml", Self.first)
        let two = try write("two.yaml", Self.second)
        let missing = directory.appendingPathComponent("missing.yaml").path
        let env = environment(["KUBECONFIG": [missing, one, two].joined(separator: ":")])

        let current = try KubeConfigLoader.connection(KubeConfigOptions(), environment: env)
        #expect(current.contextName == "one")
        #expect(current.server == "https://one.example:6443")
        #expect(current.namespace == "team-a")
        #expect(current.tls.trust == .only(pem: Data("CA PEM".utf8)))
        #expect(current.tls.serverName == "kubernetes")
        #expect(current.tls.proxy == "http://proxy.example:3128")
        guard case .token(let token) = current.credentials else { Issue.record("expected a token"); return }
        #expect(token == "first-token")

        let shared = try KubeConfigLoader.connection(KubeConfigOptions(context: "shared"), environment: env)
        #expect(shared.server == "https://one.example:6443")
        #expect(shared.namespace == "default")

        let second = try KubeConfigLoader.connection(KubeConfigOptions(context: "two", namespace: "flag-ns"), environment: env)
        #expect(second.tls.insecureSkipVerify)
        #expect(second.namespace == "flag-ns")
        guard case .basic(let user, let password) = second.credentials else { Issue.record("expected basic auth"); return }
        #expect(user == "admin" && password == "hunter2")
        #expect(!second.credentials.description.contains("hunter2"))
    }

    @Test func theKubeconfigFlagAloneIsUsed() throws {
        _ = try write("sub/certs/ca.pem", "CA PEM")
        let one = try write("sub/one.yaml", Self.first)
        let two = try write("two.yaml", Self.second)
        let connection = try KubeConfigLoader.connection(KubeConfigOptions(kubeconfig: two), environment: environment(["KUBECONFIG": one]))
        #expect(connection.contextName == "two")
        let error = #expect(throws: KubernetesError.self) {
            try KubeConfigLoader.connection(KubeConfigOptions(kubeconfig: two, context: "one"), environment: environment(["KUBECONFIG": one]))
        }
        #expect(error?.message.contains("the contexts are: shared, two") == true)
    }

    @Test func theHomeConfigIsTheDefault() throws {
        try FileManager.default.createDirectory(at: directory.appendingPathComponent("home/.kube"), withIntermediateDirectories: true)
        _ = try write("home/.kube/config", Self.second)
        #expect(try KubeConfigLoader.connection(KubeConfigOptions(), environment: environment()).contextName == "two")
    }

    @Test func relativeFilePathsResolveAgainstTheirFile() throws {
        let certificate = try write("sub/certs/client.pem", "CERT")
        _ = try write("sub/certs/client-key.pem", "KEY")
        let path = try write("sub/files.yaml", """
        current-context: files
        clusters: [{name: c, cluster: {server: "https://x"}}]
        users: [{name: u, user: {client-certificate: certs/client.pem, client-key: ./certs/client-key.pem, tokenFile: ../token}}]
        contexts: [{name: files, context: {cluster: c, user: u}}]
        """)
        let config = try KubeConfigLoader.read(path)
        #expect(config.users[0].value.clientCertificate == certificate)
        #expect(config.users[0].value.tokenFile == directory.appendingPathComponent("token").standardizedFileURL.path)
        let connection = try KubeConfigLoader.connection(KubeConfigOptions(kubeconfig: path), environment: environment())
        #expect(connection.tls.clientIdentity == .init(certificatePEM: Data("CERT".utf8), privateKeyPEM: Data("KEY".utf8)))
    }

    @Test func mistakesAreExplained() throws {
        let broken = try write("broken.yaml", "clusters: [{name: c, cluster: {server: [1, 2]}}]\n")
        let error = #expect(throws: KubernetesError.self) { try KubeConfigLoader.connection(KubeConfigOptions(kubeconfig: broken), environment: environment()) }
        #expect(error?.message.contains("broken.yaml is not valid") == true)

        let nothing = #expect(throws: KubernetesError.self) {
            try KubeConfigLoader.connection(KubeConfigOptions(kubeconfig: directory.appendingPathComponent("nope").path), environment: environment())
        }
        #expect(nothing?.message.contains("no such file") == true)

        let gcp = try write("gcp.yaml", """
        current-context: g
        clusters: [{name: c, cluster: {server: "https://x"}}]
        users: [{name: u, user: {auth-provider: {name: gcp}}}]
        contexts: [{name: g, context: {cluster: c, user: u}}]
        """)
        let removed = #expect(throws: KubernetesError.self) { try KubeConfigLoader.connection(KubeConfigOptions(kubeconfig: gcp), environment: environment()) }
        #expect(removed?.message.contains("gke-gcloud-auth-plugin") == true)

        let noFile = try write("nofile.yaml", """
        current-context: n
        clusters: [{name: c, cluster: {server: "https://x", certificate-authority: /nonexistent/ca.pem}}]
        contexts: [{name: n, context: {cluster: c}}]
        """)
        let unreadable = #expect(throws: KubernetesError.self) { try KubeConfigLoader.connection(KubeConfigOptions(kubeconfig: noFile), environment: environment()) }
        #expect(unreadable?.message.contains("/nonexistent/ca.pem") == true)

        let none = #expect(throws: KubernetesError.self) { try KubeConfigLoader.connection(KubeConfigOptions(), environment: environment()) }
        #expect(none?.message.contains("KUBECONFIG") == true)
    }

    @Test func insideAPodTheServiceAccountIsUsed() throws {
        let sa = directory.appendingPathComponent("sa")
        try FileManager.default.createDirectory(at: sa, withIntermediateDirectories: true)
        try "sa-token\n".write(to: sa.appendingPathComponent("token"), atomically: true, encoding: .utf8)
        try "SA CA".write(to: sa.appendingPathComponent("ca.crt"), atomically: true, encoding: .utf8)
        try "renewals\n".write(to: sa.appendingPathComponent("namespace"), atomically: true, encoding: .utf8)
        let connection = try KubeConfigLoader.connection(KubeConfigOptions(), environment: environment(["KUBERNETES_SERVICE_HOST": "10.0.0.1", "KUBERNETES_SERVICE_PORT": "443"], serviceAccount: sa))
        #expect(connection.contextName == "in-cluster")
        #expect(connection.server == "https://10.0.0.1:443")
        #expect(connection.namespace == "renewals")
        #expect(connection.tls.trust == .only(pem: Data("SA CA".utf8)))
        guard case .tokenFile(let path) = connection.credentials else { Issue.record("expected the token file"); return }
        #expect(path.hasSuffix("sa/token"))
    }

    @Test func tokenFilesAreReReadWhenTheyRotate() async throws {
        let path = try write("rotating-token", "first\n")
        let authenticator = KubernetesAuthenticator(.tokenFile(path))
        #expect(try await authenticator.authorization().header == "Bearer first")
        try await Task.sleep(for: .milliseconds(1100))
        _ = try write("rotating-token", "second\n")
        #expect(try await authenticator.authorization().header == "Bearer second")
    }

    @Test func execPluginsAreRunWithTheirEnvironmentAndCached() async throws {
        let log = directory.appendingPathComponent("exec.log").path
        let script = try write("plugin.sh", """
        #!/bin/sh
        echo "$KUBERNETES_EXEC_INFO" >> \(log)
        echo "$PLUGIN_GREETING $1" >> \(log)
        cat <<JSON
        {"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"token":"exec-token","expirationTimestamp":"2099-01-01T00:00:00Z"}}
        JSON
        """)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: script)
        var config = KubeConfig.ExecConfig(apiVersion: "client.authentication.k8s.io/v1", command: script, args: ["--flag"], env: [.init(name: "PLUGIN_GREETING", value: "hello")], interactiveMode: "Never", provideClusterInfo: true)
        let authenticator = KubernetesAuthenticator(.exec(config, server: "https://k.example", certificateAuthorityData: Data("CA".utf8)))
        #expect(try await authenticator.authorization().header == "Bearer exec-token")
        #expect(try await authenticator.authorization().header == "Bearer exec-token")
        let lines = try String(contentsOfFile: log, encoding: .utf8).split(separator: "\n")
        #expect(lines.count == 2, "the plugin ran once and its credential was cached")
        let info = try JSONValue.decode(Data(lines[0].utf8))
        #expect(info["kind"]?.stringValue == "ExecCredential")
        #expect(info["spec"]?["interactive"]?.boolValue == false)
        #expect(info["spec"]?["cluster"]?["server"]?.stringValue == "https://k.example")
        #expect(lines[1] == "hello --flag")
        #expect(await authenticator.invalidate())

        config.apiVersion = "client.authentication.k8s.io/v1alpha1"
        let old = KubernetesAuthenticator(.exec(config, server: "https://k.example", certificateAuthorityData: nil))
        let error = await #expect(throws: KubernetesError.self) { try await old.authorization() }
        #expect(error?.message.contains("v1alpha1") == true)
    }
}
