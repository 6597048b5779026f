import Foundation
import TestSupport
import Testing

/// The API test server collects garbage as kube-controller-manager does: deleting an object removes
/// the objects whose ownerReferences name its uid (and theirs), shortly after by default, first
/// with `--cascade=foreground`, never with `--cascade=orphan`; a dependent with another owner left
/// only loses the reference. kubectl drives it, on a server of each test's own.
@Suite(.lab) struct KubeTestServerGarbageCollectionTests {
    /// A parent ConfigMap; a Pod, a Service and a ConfigMap it owns; a Secret the child ConfigMap owns.
    static func family(_ kube: KubeTestCluster, _ ns: String) async throws {
        try await create(kube, ns, #"{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "parent"}}"#)
        let parent = try await uid(kube, ns, "configmap/parent")
        let owner = #"[{"apiVersion": "v1", "kind": "ConfigMap", "name": "parent", "uid": "\#(parent)"}]"#
        try await create(kube, ns, """
            {"apiVersion": "v1", "kind": "List", "items": [
              {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "child", "ownerReferences": \(owner)},
               "spec": {"containers": [{"name": "c", "image": "busybox"}]}},
              {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "child", "ownerReferences": \(owner)},
               "spec": {"ports": [{"port": 80}]}},
              {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "child", "ownerReferences": \(owner)}}]}
            """)
        let child = try await uid(kube, ns, "configmap/child")
        try await create(kube, ns, """
            {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "grandchild",
             "ownerReferences": [{"apiVersion": "v1", "kind": "ConfigMap", "name": "child", "uid": "\(child)"}]}}
            """)
    }

    static let descendants = ["pod/child", "service/child", "configmap/child", "secret/grandchild"]

    @Test func deletingAnOwnerRemovesItsDependentsRecursively_AgainstKubeTestServer() async throws {
        let kube = try await KubeTestCluster.own()
        let ns = try await kube.makeNamespace("gc-background")
        try await Self.family(kube, ns)
        #expect(try await kube.succeed(["delete", "configmap", "parent", "-n", ns]) == "configmap \"parent\" deleted\n")
        try await waitUntilGone(kube, ns, Self.descendants)
    }

    @Test func foregroundDeletionRemovesTheDependentsFirst_AgainstKubeTestServer() async throws {
        let kube = try await KubeTestCluster.own()
        let ns = try await kube.makeNamespace("gc-foreground")
        try await Self.family(kube, ns)
        try await kube.succeed(["delete", "configmap", "parent", "-n", ns, "--cascade=foreground"])
        for name in Self.descendants {
            let result = try await kube.kubectl(["get", name, "-n", ns])
            #expect(result.status != 0 && result.stderr.contains("NotFound"), "\(name) is still there")
        }
    }

    @Test func orphanKeepsTheDependentsAndDropsTheirReference_AgainstKubeTestServer() async throws {
        let kube = try await KubeTestCluster.own()
        let ns = try await kube.makeNamespace("gc-orphan")
        try await Self.family(kube, ns)
        try await kube.succeed(["delete", "configmap", "parent", "-n", ns, "--cascade=orphan"])
        for name in ["pod/child", "service/child", "configmap/child"] {
            let object = try await kube.json(["get", name, "-n", ns])
            #expect(dig(object, "metadata", "ownerReferences") == nil, "\(name)")
        }
        // The grandchild's own owner is still there.
        let grandchild = try await kube.json(["get", "secret/grandchild", "-n", ns])
        #expect((dig(grandchild, "metadata", "ownerReferences") as? [Any])?.count == 1)
    }

    @Test func aDependentWithAnotherOwnerOnlyLosesTheReference_AgainstKubeTestServer() async throws {
        let kube = try await KubeTestCluster.own()
        let ns = try await kube.makeNamespace("gc-two-owners")
        try await create(kube, ns, #"{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "first"}}"#)
        try await create(kube, ns, #"{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "second"}}"#)
        let first = try await uid(kube, ns, "configmap/first")
        let second = try await uid(kube, ns, "configmap/second")
        try await create(kube, ns, """
            {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "shared", "ownerReferences": [
              {"apiVersion": "v1", "kind": "ConfigMap", "name": "first", "uid": "\(first)"},
              {"apiVersion": "v1", "kind": "ConfigMap", "name": "second", "uid": "\(second)"}]}}
            """)
        try await kube.succeed(["delete", "configmap", "first", "-n", ns])
        let deadline = ContinuousClock.now + .seconds(5)
        var owners: [String] = []
        repeat {
            let shared = try await kube.json(["get", "secret", "shared", "-n", ns])
            owners = (dig(shared, "metadata", "ownerReferences") as? [[String: Any]] ?? []).compactMap { $0["name"] as? String }
            if owners == ["second"] { break }
            try await Task.sleep(for: .milliseconds(50))
        } while ContinuousClock.now < deadline
        #expect(owners == ["second"])
        try await kube.succeed(["delete", "configmap", "second", "-n", ns])
        try await waitUntilGone(kube, ns, ["secret/shared"])
    }

    @Test func refusesAnUnknownPropagationPolicy_AgainstKubeTestServer() async throws {
        let kube = try await KubeTestCluster.own()
        let ns = try await kube.makeNamespace("gc-policy")
        try await create(kube, ns, #"{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "kept"}}"#)
        let result = try await kube.kubectl(["delete", "--raw", "/api/v1/namespaces/\(ns)/configmaps/kept?propagationPolicy=Sometimes"])
        #expect(result.status != 0)
        #expect(result.stderr.contains(#"propagationPolicy: Unsupported value: "Sometimes": supported values: "Foreground", "Background", "Orphan", "nil""#),
                "\(result.stderr)")
        try await kube.succeed(["get", "configmap", "kept", "-n", ns])
    }
}

private func create(_ kube: KubeTestCluster, _ ns: String, _ json: String) async throws {
    let result = try await kube.kubectl(["create", "-n", ns, "-f", "-"], input: Data(json.utf8))
    guard result.status == 0 else { throw KubeTestCluster.Failure("kubectl create: \(result.stderr)") }
}

private func uid(_ kube: KubeTestCluster, _ ns: String, _ name: String) async throws -> String {
    let object = try await kube.json(["get", name, "-n", ns])
    return try #require(dig(object, "metadata", "uid") as? String)
}

/// Polls `kubectl get` until every object is NotFound; fails naming those left after 5 s.
private func waitUntilGone(_ kube: KubeTestCluster, _ ns: String, _ names: [String]) async throws {
    let deadline = ContinuousClock.now + .seconds(5)
    var left = names
    while !left.isEmpty {
        var still: [String] = []
        for name in left {
            let result = try await kube.kubectl(["get", name, "-n", ns])
            if !(result.status != 0 && result.stderr.contains("NotFound")) { still.append(name) }
        }
        left = still
        if left.isEmpty || ContinuousClock.now >= deadline { break }
        try await Task.sleep(for: .milliseconds(50))
    }
    #expect(left.isEmpty, "still there after the owner's deletion: \(left)")
}
