import Foundation
import TestSupport
import Testing

/// Holds the test server to kube-apiserver for what `kubectl certs install` applies: a
/// ServiceAccount, a ClusterRole and its ClusterRoleBinding, and a CronJob whose Job is Indexed,
/// in one multi-document YAML that the real kubectl applies (client-side and server-side), lists
/// and deletes. Each test starts a server of its own from this checkout.
@Suite(.lab) struct KubectlInstallFidelityTests {
    static func manifest(namespace: String, role: String) -> String {
        """
        apiVersion: v1
        kind: ServiceAccount
        metadata: {name: kubectl-certs, namespace: \(namespace)}
        ---
        apiVersion: rbac.authorization.k8s.io/v1
        kind: ClusterRole
        metadata: {name: \(role)}
        rules:
        - apiGroups: [""]
          resources: [secrets]
          verbs: [get, list, create, update, patch]
        - apiGroups: [events.k8s.io]
          resources: [events]
          verbs: [create, patch]
        ---
        apiVersion: rbac.authorization.k8s.io/v1
        kind: ClusterRoleBinding
        metadata: {name: \(role)}
        roleRef: {kind: ClusterRole, name: \(role)}
        subjects:
        - {kind: ServiceAccount, name: kubectl-certs, namespace: \(namespace)}
        ---
        apiVersion: batch/v1
        kind: CronJob
        metadata: {name: kubectl-certs-renew, namespace: \(namespace)}
        spec:
          schedule: "17 3 * * *"
          jobTemplate:
            spec:
              completionMode: Indexed
              completions: 3
              parallelism: 3
              template:
                spec:
                  serviceAccountName: kubectl-certs
                  restartPolicy: OnFailure
                  containers:
                  - name: renew
                    image: registry.example.test/kubectl-certs:1.0
                    args: [renew, -A, --shards, "3"]

        """
    }

    static let applied = """
        serviceaccount/kubectl-certs NOUN
        clusterrole.rbac.authorization.k8s.io/ROLE NOUN
        clusterrolebinding.rbac.authorization.k8s.io/ROLE NOUN
        cronjob.batch/kubectl-certs-renew NOUN

        """

    static func outcome(_ noun: String, role: String) -> String {
        applied.replacingOccurrences(of: "NOUN", with: noun).replacingOccurrences(of: "ROLE", with: role)
    }

    @Test(arguments: [false, true])
    func applyListAndDeleteTheInstallManifest_AgainstKubeTestServer(serverSide: Bool) async throws {
        let kube = try await KubeTestCluster.own()
        let ns = try await kube.makeNamespace(serverSide ? "install-ssa" : "install-csa")
        let role = serverSide ? "kubectl-certs-ssa" : "kubectl-certs-csa"
        let yaml = Data(Self.manifest(namespace: ns, role: role).utf8)
        let apply = ["apply", "-f", "-"] + (serverSide ? ["--server-side"] : [])

        let first = try await kube.kubectl(apply, input: yaml)
        #expect(first.status == 0, "\(first.stderr)")
        #expect(first.stdout == Self.outcome(serverSide ? "serverside-applied" : "created", role: role))
        let again = try await kube.kubectl(apply, input: yaml)
        #expect(again.stdout == Self.outcome(serverSide ? "serverside-applied" : "unchanged", role: role), "\(again.stderr)")

        let listed = try await kube.succeed(["get", "cronjob,sa,clusterrole", "-n", ns])
        let sections = listed.components(separatedBy: "\n\n").map(tableRows)
        #expect(sections.count == 3)
        #expect(sections[0].first == ["NAME", "SCHEDULE", "TIMEZONE", "SUSPEND", "ACTIVE", "LAST SCHEDULE", "AGE"])
        #expect(sections[0].dropFirst().map { Array($0.prefix(6)) } ==
                [["cronjob.batch/kubectl-certs-renew", "17 3 * * *", "<none>", "False", "0", "<none>"]])
        #expect(sections[1].first == ["NAME", "SECRETS", "AGE"])
        #expect(sections[1].dropFirst().map { Array($0.prefix(2)) } == [["serviceaccount/kubectl-certs", "0"]])
        #expect(sections[2].first == ["NAME", "CREATED AT"])
        #expect(sections[2].dropFirst().map(\.first) == ["clusterrole.rbac.authorization.k8s.io/\(role)"])

        let binding = tableRows(try await kube.succeed(["get", "clusterrolebinding", role, "-o", "wide"]))
        #expect(binding.first == ["NAME", "ROLE", "AGE", "USERS", "GROUPS", "SERVICEACCOUNTS"])
        #expect(binding.dropFirst().first.map { [$0[0], $0[1], $0.last!] } == [role, "ClusterRole/\(role)", "\(ns)/kubectl-certs"])

        let cronJob = try await kube.json(["get", "cj", "kubectl-certs-renew", "-n", ns])
        #expect(dig(cronJob, "spec", "jobTemplate", "spec", "completionMode") as? String == "Indexed")
        #expect(dig(cronJob, "spec", "jobTemplate", "spec", "completions") as? Int == 3)
        #expect(dig(cronJob, "spec", "concurrencyPolicy") as? String == "Allow", "defaulted as the real server does")
        #expect(dig(cronJob, "metadata", "generation") as? Int == 1)
        let clusterRoleBinding = try await kube.json(["get", "clusterrolebinding", role])
        #expect(dig(clusterRoleBinding, "roleRef", "apiGroup") as? String == "rbac.authorization.k8s.io")

        let deleted = try await kube.kubectl(["delete", "-f", "-"], input: yaml)
        #expect(deleted.status == 0, "\(deleted.stderr)")
        #expect(deleted.stdout == """
            serviceaccount "kubectl-certs" deleted
            clusterrole.rbac.authorization.k8s.io "\(role)" deleted
            clusterrolebinding.rbac.authorization.k8s.io "\(role)" deleted
            cronjob.batch "kubectl-certs-renew" deleted

            """)
        let gone = try await kube.kubectl(["get", "-f", "-"], input: yaml)
        #expect(gone.status == 1)
        #expect(gone.stderr.contains(#"Error from server (NotFound): cronjobs.batch "kubectl-certs-renew" not found"#))
        #expect(gone.stderr.contains(#"Error from server (NotFound): clusterroles.rbac.authorization.k8s.io "\#(role)" not found"#))
    }

    @Test func reapplyingAChangedCronJobMergesItsContainersByName_AgainstKubeTestServer() async throws {
        // Client-side apply sends a strategic merge patch holding only what changed in the
        // container; the server merges it into the container of that name, keeping the rest.
        let kube = try await KubeTestCluster.own()
        let ns = try await kube.makeNamespace("install-reapply")
        let first = Self.manifest(namespace: ns, role: "kubectl-certs-reapply")
        try #require(try await kube.kubectl(["apply", "-f", "-"], input: Data(first.utf8)).status == 0)
        let second = first
            .replacingOccurrences(of: "kubectl-certs:1.0", with: "kubectl-certs:1.1")
            .replacingOccurrences(of: "            args: [renew, -A, --shards, \"3\"]\n",
                                  with: "            args: [renew, -A, --shards, \"3\"]\n            env: [{name: NO_COLOR, value: \"1\"}]\n")
        #expect(second.contains("NO_COLOR"))
        let applied = try await kube.kubectl(["apply", "-f", "-"], input: Data(second.utf8))
        #expect(applied.stdout.contains("cronjob.batch/kubectl-certs-renew configured\n"), "\(applied.stderr)")

        let cronJob = try await kube.json(["get", "cronjob", "kubectl-certs-renew", "-n", ns])
        let containers = dig(cronJob, "spec", "jobTemplate", "spec", "template", "spec", "containers") as? [[String: Any]] ?? []
        #expect(containers.count == 1)
        #expect(containers.first?["image"] as? String == "registry.example.test/kubectl-certs:1.1")
        #expect(containers.first?["args"] as? [String] == ["renew", "-A", "--shards", "3"])
        #expect((containers.first?["env"] as? [[String: String]]) == [["name": "NO_COLOR", "value": "1"]])

        let back = try await kube.kubectl(["apply", "-f", "-"], input: Data(first.utf8))
        #expect(back.stdout.contains("cronjob.batch/kubectl-certs-renew configured\n"), "\(back.stderr)")
        let reverted = try await kube.json(["get", "cronjob", "kubectl-certs-renew", "-n", ns])
        let container = (dig(reverted, "spec", "jobTemplate", "spec", "template", "spec", "containers") as? [[String: Any]])?.first
        #expect(container?["env"] == nil, "the env the manifest no longer has is removed, not left as null")
        #expect(container?["args"] as? [String] == ["renew", "-A", "--shards", "3"])
    }

    @Test func mistakesInRolesBindingsAndCronJobsAreRefusedWithTheRealWording_AgainstKubeTestServer() async throws {
        let kube = try await KubeTestCluster.own()
        let ns = try await kube.makeNamespace("install-invalid")
        let yaml = """
            apiVersion: rbac.authorization.k8s.io/v1
            kind: ClusterRole
            metadata: {name: no-verbs}
            rules:
            - resources: [secrets]
            ---
            apiVersion: rbac.authorization.k8s.io/v1
            kind: ClusterRoleBinding
            metadata: {name: no-namespace}
            roleRef: {kind: Role, name: x}
            subjects:
            - {kind: ServiceAccount, name: kubectl-certs}
            ---
            apiVersion: batch/v1
            kind: CronJob
            metadata: {name: unindexed, namespace: \(ns)}
            spec:
              schedule: "every night"
              jobTemplate:
                spec:
                  completionMode: Indexed
                  template:
                    spec:
                      containers: [{name: renew, image: registry.example.test/kubectl-certs:1.0}]

            """
        let result = try await kube.kubectl(["create", "-f", "-"], input: Data(yaml.utf8))
        #expect(result.status == 1)
        #expect(result.stderr == """
            Error from server (Invalid): error when creating "STDIN": ClusterRole.rbac.authorization.k8s.io "no-verbs" is \
            invalid: [rules[0].verbs: Required value: verbs must contain at least one value, rules[0].apiGroups: Required \
            value: resource rules must supply at least one api group]
            Error from server (Invalid): error when creating "STDIN": ClusterRoleBinding.rbac.authorization.k8s.io \
            "no-namespace" is invalid: [roleRef.kind: Unsupported value: "Role": supported values: "ClusterRole", \
            subjects[0].namespace: Required value]
            Error from server (Invalid): error when creating "STDIN": CronJob.batch "unindexed" is invalid: \
            [spec.schedule: Invalid value: "every night": expected exactly 5 fields, found 2: [every night], \
            spec.jobTemplate.spec.completions: Required value: when completion mode is Indexed, \
            spec.jobTemplate.spec.template.spec.restartPolicy: Required value: valid values: "OnFailure", "Never"]

            """)
    }
}
