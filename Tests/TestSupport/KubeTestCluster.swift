public import Foundation
public import Testing

/// The lab's Kubernetes API test server (`scripts/lab up kube`), driven through the real kubectl.
public struct KubeTestCluster: Sendable {
    public let kubeconfig: String

    public init() throws {
        kubeconfig = try Lab.require("LAB_KUBECONFIG", component: "kube")
    }

    /// Runs kubectl against the test server with the lab kubeconfig (context `lab-admin` unless
    /// `--context` is among the arguments).
    @discardableResult
    public func kubectl(_ arguments: [String], input: Data? = nil) throws -> Subprocess.Result {
        try Subprocess.run("kubectl", arguments, environment: ["KUBECONFIG": kubeconfig], input: input)
    }

    /// Runs kubectl and records an issue, with both streams, when it does not exit 0.
    @discardableResult
    public func succeed(_ arguments: [String], sourceLocation: SourceLocation = #_sourceLocation) throws -> String {
        let result = try kubectl(arguments)
        #expect(result.status == 0, "kubectl \(arguments.joined(separator: " ")) exited \(result.status): \(result.stderr)",
                sourceLocation: sourceLocation)
        return result.stdout
    }

    /// Creates a namespace named `kf-<purpose>-<random>` for one test.
    public func makeNamespace(_ purpose: String) throws -> String {
        let name = uniqueLabel("kf-\(purpose)")
        let result = try kubectl(["create", "namespace", name])
        guard result.status == 0 else {
            throw Failure("kubectl create namespace \(name) failed: \(result.stderr)")
        }
        return name
    }

    /// Deletes a test namespace (and everything in it), ignoring failures.
    public func dropNamespace(_ name: String) {
        _ = try? kubectl(["delete", "namespace", name, "--wait=false"])
    }

    /// `kubectl get ... -o json`, parsed.
    public func json(_ arguments: [String], sourceLocation: SourceLocation = #_sourceLocation) throws -> [String: Any] {
        let out = try succeed(arguments + ["-o", "json"], sourceLocation: sourceLocation)
        let object = try JSONSerialization.jsonObject(with: Data(out.utf8))
        return try #require(object as? [String: Any], "not a JSON object: \(out)", sourceLocation: sourceLocation)
    }

    public struct Failure: Error, CustomStringConvertible {
        public var description: String
        public init(_ description: String) { self.description = description }
    }
}
