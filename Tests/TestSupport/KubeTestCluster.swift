public import Foundation
public import Testing

/// The lab's Kubernetes API test server (`scripts/lab up kube`), driven through the real kubectl;
/// or, from `own()`, a test server of one test's own, started from this checkout's lab/.
///
/// `KUBE_TEST_SERVER_OWN=1` makes `init()` start one of its own too, so that every test of the
/// server runs against the copy in this checkout rather than the one the shared lab was started
/// from.
public struct KubeTestCluster: Sendable {
    public let kubeconfig: String
    /// The server's URL, `https://127.0.0.1:PORT`.
    public let serverURL: String
    /// The CA its HTTPS certificate chains to (the lab CA).
    public let caFile: String
    private let ownServer: OwnServer?

    public init() throws {
        if ProcessInfo.processInfo.environment["KUBE_TEST_SERVER_OWN"] == "1" {
            let plan = try OwnPlan()
            self = try plan.cluster(server: try ServerProcess(waitingOnThisThread: "python3", plan.arguments))
            return
        }
        kubeconfig = try Lab.require("LAB_KUBECONFIG", component: "kube")
        serverURL = try Lab.require("KUBE_TEST_SERVER_URL", component: "kube")
        caFile = URL(fileURLWithPath: kubeconfig).deletingLastPathComponent().appendingPathComponent("ca.pem").path
        ownServer = nil
    }

    /// Starts a test server of its own (this checkout's lab/kube-test-server, on a free port,
    /// with the lab's CA, `localhost` certificate and admin client certificate), which stops
    /// when the last copy of the value is gone. Its kubeconfig has the lab's contexts, `lab-admin`
    /// (current) and `lab-reader` (a token of its own). `options`: more command-line options of
    /// the server (README.md of lab/kube-test-server), such as `--json-only`.
    public static func own(options: [String] = []) async throws -> KubeTestCluster {
        let plan = try OwnPlan(options: options)
        return try plan.cluster(server: try await ServerProcess("python3", plan.arguments))
    }

    /// What a server of a test's own is started with, and its kubeconfig once it listens.
    private struct OwnPlan {
        let scratch: ScratchDirectory
        let caBundle: String
        let labKube: URL
        let readerToken: String
        let arguments: [String]

        init(options: [String] = []) throws {
            let labKubeconfig = try Lab.require("LAB_KUBECONFIG", component: "kube")
            caBundle = try Lab.require("LAB_CA_BUNDLE", component: "pebble")
            labKube = URL(fileURLWithPath: labKubeconfig).deletingLastPathComponent()
            let labCA = URL(fileURLWithPath: caBundle).deletingLastPathComponent()
            scratch = try ScratchDirectory()
            // The same users as the lab's: admin by certificate, reader by token.
            readerToken = UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
            let tokens = try scratch.write("tokens.csv", "\(readerToken),reader,reader,\"\"\n")
            arguments = [
                Lab.repositoryRoot.appendingPathComponent("lab/kube-test-server/kube-test-server.py").path,
                "--port", "0", "--ready", "--quiet",
                "--cert", labCA.appendingPathComponent("localhost.pem").path,
                "--key", labCA.appendingPathComponent("localhost-key.pem").path,
                "--client-ca", caBundle, "--tokens", tokens,
            ] + options
        }

        func cluster(server: ServerProcess) throws -> KubeTestCluster {
            let url = "https://127.0.0.1:\(server.port)"
            let kubeconfig = try scratch.write("kubeconfig", """
                apiVersion: v1
                kind: Config
                clusters:
                - name: own
                  cluster: {server: "\(url)", certificate-authority: "\(caBundle)"}
                users:
                - name: lab-admin
                  user:
                    client-certificate: "\(labKube.appendingPathComponent("admin.pem").path)"
                    client-key: "\(labKube.appendingPathComponent("admin-key.pem").path)"
                - name: lab-reader
                  user: {token: "\(readerToken)"}
                contexts:
                - name: lab-admin
                  context: {cluster: own, user: lab-admin}
                - name: lab-reader
                  context: {cluster: own, user: lab-reader}
                current-context: lab-admin

                """)
            return KubeTestCluster(kubeconfig: kubeconfig, serverURL: url, caFile: caBundle,
                                   ownServer: OwnServer(process: server, scratch: scratch))
        }
    }

    private init(kubeconfig: String, serverURL: String, caFile: String, ownServer: OwnServer?) {
        self.kubeconfig = kubeconfig
        self.serverURL = serverURL
        self.caFile = caFile
        self.ownServer = ownServer
    }

    /// Runs kubectl against the test server with the lab kubeconfig (context `lab-admin` unless
    /// `--context` is among the arguments).
    @discardableResult
    public func kubectl(_ arguments: [String], input: Data? = nil) async throws -> Subprocess.Result {
        try await Subprocess.run("kubectl", arguments, environment: ["KUBECONFIG": kubeconfig], input: input)
    }

    /// Runs kubectl and records an issue, with both streams, when it does not exit 0.
    @discardableResult
    public func succeed(_ arguments: [String], sourceLocation: SourceLocation = #_sourceLocation) async throws -> String {
        let result = try await kubectl(arguments)
        #expect(result.status == 0, "kubectl \(arguments.joined(separator: " ")) exited \(result.status): \(result.stderr)",
                sourceLocation: sourceLocation)
        return result.stdout
    }

    /// Creates a namespace named `kf-<purpose>-<random>` for one test.
    public func makeNamespace(_ purpose: String) async throws -> String {
        let name = uniqueLabel("kf-\(purpose)")
        let result = try await kubectl(["create", "namespace", name])
        guard result.status == 0 else {
            throw Failure("kubectl create namespace \(name) failed: \(result.stderr)")
        }
        return name
    }

    /// Deletes a test namespace (and everything in it), ignoring failures.
    public func dropNamespace(_ name: String) {
        let cluster = self
        Task.detached { _ = try? await cluster.kubectl(["delete", "namespace", name, "--wait=false"]) }
    }

    /// `kubectl get ... -o json`, parsed.
    public func json(_ arguments: [String], sourceLocation: SourceLocation = #_sourceLocation) async throws -> [String: Any] {
        let out = try await succeed(arguments + ["-o", "json"], sourceLocation: sourceLocation)
        let object = try JSONSerialization.jsonObject(with: Data(out.utf8))
        return try #require(object as? [String: Any], "not a JSON object: \(out)", sourceLocation: sourceLocation)
    }

    /// A server process and its files, gone together.
    private final class OwnServer: Sendable {
        let process: ServerProcess
        let scratch: ScratchDirectory

        init(process: ServerProcess, scratch: ScratchDirectory) {
            self.process = process
            self.scratch = scratch
        }

        deinit { scratch.remove() }
    }

    public struct Failure: Error, CustomStringConvertible {
        public var description: String
        public init(_ description: String) { self.description = description }
    }
}
