import Foundation
import TestSupport
import Testing

/// The lab's Kubernetes API test server (`scripts/lab up kube`), driven through the real kubectl.
struct KubeTestCluster {
    let kubeconfig: String

    init() throws {
        kubeconfig = try Lab.require("LAB_KUBECONFIG", component: "kube")
    }

    /// Runs kubectl against the test server with the lab kubeconfig (context `lab-admin` unless
    /// `--context` is among the arguments).
    @discardableResult
    func kubectl(_ arguments: [String], input: Data? = nil) throws -> Subprocess.Result {
        try Subprocess.run("kubectl", arguments, environment: ["KUBECONFIG": kubeconfig], input: input)
    }

    /// Runs kubectl and records an issue, with both streams, when it does not exit 0.
    @discardableResult
    func succeed(_ arguments: [String], sourceLocation: SourceLocation = #_sourceLocation) throws -> String {
        let result = try kubectl(arguments)
        #expect(result.status == 0, "kubectl \(arguments.joined(separator: " ")) exited \(result.status): \(result.stderr)",
                sourceLocation: sourceLocation)
        return result.stdout
    }

    /// Creates a namespace named `kf-<purpose>-<random>` for one test.
    func makeNamespace(_ purpose: String) throws -> String {
        let name = "kf-\(purpose)-\(UUID().uuidString.prefix(8).lowercased())"
        let result = try kubectl(["create", "namespace", name])
        guard result.status == 0 else {
            throw Failure("kubectl create namespace \(name) failed: \(result.stderr)")
        }
        return name
    }

    /// Deletes a test namespace (and everything in it), ignoring failures.
    func dropNamespace(_ name: String) {
        _ = try? kubectl(["delete", "namespace", name, "--wait=false"])
    }

    /// `kubectl get ... -o json`, parsed.
    func json(_ arguments: [String], sourceLocation: SourceLocation = #_sourceLocation) throws -> [String: Any] {
        let out = try succeed(arguments + ["-o", "json"], sourceLocation: sourceLocation)
        let object = try JSONSerialization.jsonObject(with: Data(out.utf8))
        return try #require(object as? [String: Any], "not a JSON object: \(out)", sourceLocation: sourceLocation)
    }

    struct Failure: Error, CustomStringConvertible {
        var description: String
        init(_ description: String) { self.description = description }
    }
}

/// Files for one test in a fresh temporary directory.
struct ScratchDirectory {
    let url: URL

    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("kube-fidelity-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    func write(_ name: String, _ text: String) throws -> String {
        let file = url.appendingPathComponent(name)
        try Data(text.utf8).write(to: file)
        return file.path
    }

    func remove() {
        try? FileManager.default.removeItem(at: url)
    }
}

/// The rows of kubectl's table output, cells split at runs of two or more spaces.
func tableRows(_ output: String) -> [[String]] {
    output.split(separator: "\n").map { line in
        line.split(separator: /\s{2,}/).map { String($0).trimmingCharacters(in: .whitespaces) }
    }
}

func dig(_ object: Any?, _ path: String...) -> Any? {
    var current = object
    for key in path {
        current = (current as? [String: Any])?[key]
    }
    return current
}
