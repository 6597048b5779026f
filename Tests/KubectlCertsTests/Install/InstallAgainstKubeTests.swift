import CertCore
import Foundation
import TestSupport
import Testing

/// `kubectl certs install` and `uninstall` against a Kubernetes API test server of each test's
/// own (started from this checkout's lab/), checked through the real kubectl.
@Suite(.lab) struct InstallAgainstKubeTests {
    static let image = "registry.example.test/kubectl-certs:1.2.3"

    let binary = Subprocess.buildDirectory.appendingPathComponent("kubectl-certs").path

    func certs(_ kube: KubeTestCluster, _ arguments: [String]) async throws -> Subprocess.Result {
        try await Subprocess.run(binary, arguments, environment: ["KUBECONFIG": kube.kubeconfig, "NO_COLOR": "1"])
    }

    static func applied(namespace: String, withNamespace: Bool) -> String {
        (withNamespace ? "namespace/\(namespace) serverside-applied\n" : "") + """
            serviceaccount/kubectl-certs-renew serverside-applied
            clusterrole.rbac.authorization.k8s.io/kubectl-certs-renew-\(namespace) serverside-applied
            clusterrolebinding.rbac.authorization.k8s.io/kubectl-certs-renew-\(namespace) serverside-applied
            cronjob.batch/kubectl-certs-renew serverside-applied

            """
    }

    func names(_ kube: KubeTestCluster, _ arguments: [String]) async throws -> [String] {
        let result = try await kube.kubectl(["get"] + arguments + ["-o", "name"])
        return result.stdout.split(separator: "\n").map(String.init).sorted()
    }

    @Test(arguments: [("yaml", false), ("json", false), ("yaml", true)])
    func theDryRunIsAcceptedByKubectlApply_AgainstKubeTestServer(format: String, serverSide: Bool) async throws {
        let kube = try await KubeTestCluster.own()
        let printed = try await certs(kube, ["install", "--dry-run", "-o", format, "--image", Self.image, "--schedule", "*/20 * * * *"])
        #expect(printed.status == 0, "\(printed.stderr)")
        let apply = ["apply", "-f", "-"] + (serverSide ? ["--server-side"] : [])
        let applied = try await kube.kubectl(apply, input: Data(printed.stdout.utf8))
        #expect(applied.status == 0, "\(applied.stderr)")
        #expect(applied.stdout == """
            namespace/kubectl-certs CREATED
            serviceaccount/kubectl-certs-renew CREATED
            clusterrole.rbac.authorization.k8s.io/kubectl-certs-renew-kubectl-certs CREATED
            clusterrolebinding.rbac.authorization.k8s.io/kubectl-certs-renew-kubectl-certs CREATED
            cronjob.batch/kubectl-certs-renew CREATED

            """.replacingOccurrences(of: "CREATED", with: serverSide ? "serverside-applied" : "created"))
        await #expect(try names(kube, ["cronjob,sa", "-n", "kubectl-certs"]) == ["cronjob.batch/kubectl-certs-renew", "serviceaccount/kubectl-certs-renew"])
        let cronJob = try JSONValue.decode(Data(try await kube.succeed(["get", "cronjob", "kubectl-certs-renew", "-n", "kubectl-certs", "-o", "json"]).utf8))
        #expect(cronJob["spec"]?["schedule"] == "*/20 * * * *")
        #expect(cronJob["spec"]?["concurrencyPolicy"] == "Forbid")
        // Applied again, nothing changes.
        let again = try await kube.kubectl(apply, input: Data(printed.stdout.utf8))
        #expect(again.status == 0, "\(again.stderr)")
        #expect(again.stdout == applied.stdout.replacingOccurrences(of: " created", with: " unchanged"))
    }

    @Test func installAppliesServerSideAndAgainChangesNothing_AgainstKubeTestServer() async throws {
        let kube = try await KubeTestCluster.own()
        let first = try await certs(kube, ["install", "--image", Self.image])
        #expect(first.status == 0, "\(first.stderr)")
        #expect(first.stdout == Self.applied(namespace: "kubectl-certs", withNamespace: true))
        await #expect(try names(kube, ["cronjob,sa", "-n", "kubectl-certs"]) == ["cronjob.batch/kubectl-certs-renew", "serviceaccount/kubectl-certs-renew"])
        let before = try JSONValue.decode(Data(try await kube.succeed(["get", "cronjob", "kubectl-certs-renew", "-n", "kubectl-certs", "-o", "json", "--show-managed-fields"]).utf8))
        let managers = before["metadata"]?["managedFields"]?.arrayValue?.compactMap { $0["manager"]?.stringValue }
        #expect(managers == ["kubectl-certs"])
        #expect(before["metadata"]?["managedFields"]?.arrayValue?.first?["operation"] == "Apply")

        // No --schedule: the time picked at random the first time is kept, so nothing changes.
        let second = try await certs(kube, ["install", "--image", Self.image])
        #expect(second.status == 0, "\(second.stderr)")
        #expect(second.stdout == first.stdout)
        let after = try JSONValue.decode(Data(try await kube.succeed(["get", "cronjob", "kubectl-certs-renew", "-n", "kubectl-certs", "-o", "json"]).utf8))
        #expect(after["spec"]?["schedule"] == before["spec"]?["schedule"])
        #expect(after["metadata"]?["resourceVersion"] == before["metadata"]?["resourceVersion"], "a second install wrote the CronJob")

        // A schedule given on a later install replaces it.
        let third = try await certs(kube, ["install", "--image", Self.image, "--schedule", "@daily"])
        #expect(third.status == 0, "\(third.stderr)")
        #expect(try await kube.succeed(["get", "cronjob", "kubectl-certs-renew", "-n", "kubectl-certs", "-o", "jsonpath={.spec.schedule}"]) == "@daily")
    }

    @Test func shardsMakeTheJobAnIndexedJobOfThatManyPods_AgainstKubeTestServer() async throws {
        let kube = try await KubeTestCluster.own()
        let namespace = try await kube.makeNamespace("shards")
        let result = try await certs(kube, ["install", "-n", namespace, "--shards", "3", "--image", Self.image, "--env-from-secret", "dns-credentials"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout == Self.applied(namespace: namespace, withNamespace: false))
        let cronJob = try JSONValue.decode(Data(try await kube.succeed(["get", "cronjob", "kubectl-certs-renew", "-n", namespace, "-o", "json"]).utf8))
        let job = try #require(cronJob["spec"]?["jobTemplate"]?["spec"])
        #expect(job["completionMode"] == "Indexed")
        #expect(job["completions"] == 3)
        #expect(job["parallelism"] == 3)
        let container = job["template"]?["spec"]?["containers"]?.arrayValue?.first
        #expect(container?["args"] == ["renew", "-A", "--shards", "3"])
        #expect(container?["envFrom"] == [["secretRef": ["name": "dns-credentials"]]])
        let binding = try JSONValue.decode(Data(try await kube.succeed(["get", "clusterrolebinding", "kubectl-certs-renew-\(namespace)", "-o", "json"]).utf8))
        #expect(binding["subjects"] == [["kind": "ServiceAccount", "name": "kubectl-certs-renew", "namespace": .string(namespace)]])
    }

    @Test func aNamespaceNamedWithDashNMustExist_AgainstKubeTestServer() async throws {
        let kube = try await KubeTestCluster.own()
        let result = try await certs(kube, ["install", "-n", "no-such-team", "--image", Self.image])
        #expect(result.status == 1)
        #expect(result.stderr.contains("namespace \"no-such-team\" not found: create it first (kubectl create namespace no-such-team), or leave out -n"))
        #expect(result.stdout.isEmpty)
        await #expect(try names(kube, ["clusterrole", "-l", "app.kubernetes.io/name=kubectl-certs"]).isEmpty)
        // The default namespace named with -n is still install's own to create.
        let named = try await certs(kube, ["install", "-n", "kubectl-certs", "--image", Self.image])
        #expect(named.status == 0, "\(named.stderr)")
        #expect(named.stdout == Self.applied(namespace: "kubectl-certs", withNamespace: true))
    }

    @Test func aFieldAnotherManagerSetIsAConflictUntilForced_AgainstKubeTestServer() async throws {
        let kube = try await KubeTestCluster.own()
        #expect(try await certs(kube, ["install", "--image", Self.image]).status == 0)
        try await kube.succeed(["patch", "cronjob", "kubectl-certs-renew", "-n", "kubectl-certs", "--type=merge", "-p", #"{"spec":{"startingDeadlineSeconds":60}}"#])
        let refused = try await certs(kube, ["install", "--image", Self.image])
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("conflict"), "\(refused.stderr)")
        #expect(refused.stderr.contains("--force-conflicts"))
        let forced = try await certs(kube, ["install", "--image", Self.image, "--force-conflicts"])
        #expect(forced.status == 0, "\(forced.stderr)")
        #expect(try await kube.succeed(["get", "cronjob", "kubectl-certs-renew", "-n", "kubectl-certs", "-o", "jsonpath={.spec.startingDeadlineSeconds}"]) == "3600")
    }

    @Test func uninstallRemovesWhatInstallMadeAndNothingElse_AgainstKubeTestServer() async throws {
        let kube = try await KubeTestCluster.own()
        #expect(try await certs(kube, ["install", "--image", Self.image]).status == 0)
        // Another installation, in a namespace of the user's, stays.
        let other = try await kube.makeNamespace("other")
        #expect(try await certs(kube, ["install", "-n", other, "--image", Self.image]).status == 0)
        // So do objects that carry some of the labels: an issued certificate's Secret, a role of the user's.
        let apps = try await kube.makeNamespace("apps")
        try await kube.succeed(["create", "secret", "generic", "web-tls", "-n", apps, "--from-literal=tls.crt=x"])
        try await kube.succeed(["label", "secret", "web-tls", "-n", apps, "app.kubernetes.io/managed-by=kubectl-certs"])
        let viewer = """
            apiVersion: rbac.authorization.k8s.io/v1
            kind: ClusterRole
            metadata:
              name: kubectl-certs-viewer
              labels: {app.kubernetes.io/name: kubectl-certs, app.kubernetes.io/managed-by: kubectl-certs}
            rules: [{apiGroups: [""], resources: [secrets], verbs: [get]}]
            """
        #expect(try await kube.kubectl(["apply", "-f", "-"], input: Data(viewer.utf8)).status == 0)

        let result = try await certs(kube, ["uninstall"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout == """
            cronjob.batch "kubectl-certs-renew" deleted
            clusterrolebinding.rbac.authorization.k8s.io "kubectl-certs-renew-kubectl-certs" deleted
            clusterrole.rbac.authorization.k8s.io "kubectl-certs-renew-kubectl-certs" deleted
            serviceaccount "kubectl-certs-renew" deleted
            namespace "kubectl-certs" deleted

            """)
        #expect(try await kube.kubectl(["get", "namespace", "kubectl-certs"]).status != 0)
        await #expect(try names(kube, ["clusterrole"]).filter { $0.contains("kubectl-certs") } == [
            "clusterrole.rbac.authorization.k8s.io/kubectl-certs-renew-\(other)", "clusterrole.rbac.authorization.k8s.io/kubectl-certs-viewer",
        ])
        await #expect(try names(kube, ["clusterrolebinding"]).filter { $0.contains("kubectl-certs") } == ["clusterrolebinding.rbac.authorization.k8s.io/kubectl-certs-renew-\(other)"])
        await #expect(try names(kube, ["cronjob,sa", "-n", other]) == ["cronjob.batch/kubectl-certs-renew", "serviceaccount/kubectl-certs-renew"])
        await #expect(try names(kube, ["secret", "-n", apps]) == ["secret/web-tls"])

        // Once more: nothing is left to remove, and it says so.
        let again = try await certs(kube, ["uninstall"])
        #expect(again.status == 0)
        #expect(again.stdout.isEmpty)
        #expect(again.stderr.contains("No resources found: kubectl-certs renewal is not installed in namespace kubectl-certs"))

        // The other namespace's installation goes with -n, and its namespace, the user's, stays.
        let removed = try await certs(kube, ["uninstall", "-n", other])
        #expect(removed.stdout.split(separator: "\n").count == 4, "\(removed.stdout)")
        #expect(try await kube.kubectl(["get", "namespace", other]).status == 0)
    }

    @Test func uninstallKeepsItsNamespaceWhileItHoldsSomeoneElsesSecret_AgainstKubeTestServer() async throws {
        let kube = try await KubeTestCluster.own()
        #expect(try await certs(kube, ["install", "--image", Self.image, "--env-from-secret", "dns-credentials"]).status == 0)
        try await kube.succeed(["create", "secret", "generic", "dns-credentials", "-n", "kubectl-certs", "--from-literal=RFC2136_TSIG_KEY=renewal"])
        let result = try await certs(kube, ["uninstall"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.split(separator: "\n").count == 4, "\(result.stdout)")
        #expect(!result.stdout.contains("namespace \"kubectl-certs\" deleted"))
        #expect(result.stderr.contains("note: namespace \"kubectl-certs\" kept: install made it, but it holds the Secret dns-credentials that install did not make"))
        await #expect(try names(kube, ["secret", "-n", "kubectl-certs"]) == ["secret/dns-credentials"])
        await #expect(try names(kube, ["cronjob,sa", "-n", "kubectl-certs"]).isEmpty)
    }

    @Test func anExistingNamespaceOfTheDefaultNameStaysTheUsers_AgainstKubeTestServer() async throws {
        let kube = try await KubeTestCluster.own()
        try await kube.succeed(["create", "namespace", "kubectl-certs"])
        let result = try await certs(kube, ["install", "--image", Self.image])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout == Self.applied(namespace: "kubectl-certs", withNamespace: false))
        let namespace = try JSONValue.decode(Data(try await kube.succeed(["get", "namespace", "kubectl-certs", "-o", "json"]).utf8))
        #expect(namespace["metadata"]?["labels"]?["app.kubernetes.io/managed-by"] == nil)
        let removed = try await certs(kube, ["uninstall"])
        #expect(removed.stdout.split(separator: "\n").count == 4, "\(removed.stdout)")
        #expect(try await kube.kubectl(["get", "namespace", "kubectl-certs"]).status == 0)
    }
}
