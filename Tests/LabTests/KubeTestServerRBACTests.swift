import Foundation
import TestSupport
import Testing

/// The test server authorizes service accounts by the RBAC objects stored in it, as kube-apiserver's
/// RBAC authorizer does, and denies with its wording. Each test runs kubectl in-cluster as a
/// service account (`InClusterRun`) against a server of its own.
@Suite(.lab) struct KubeTestServerRBACTests {
    static func apply(_ kube: KubeTestCluster, _ yaml: String) async throws {
        let applied = try await kube.kubectl(["apply", "-f", "-"], input: Data(yaml.utf8))
        try #require(applied.status == 0, "\(applied.stderr)")
    }

    static func forbidden(_ what: String, user: String, verb: String, resource: String, group: String = "", namespace: String?) -> String {
        let scope = namespace.map { "in the namespace \"\($0)\"" } ?? "at the cluster scope"
        return "Error from server (Forbidden): \(what) is forbidden: User \"\(user)\" cannot \(verb) resource \"\(resource)\" in API group \"\(group)\" \(scope)"
    }

    @Test func aRoleBindingGrantsItsRulesInItsNamespaceOnly_AgainstKubeTestServer() async throws {
        let kube = try await KubeTestCluster.own()
        let home = try await kube.makeNamespace("rbac-home")
        let elsewhere = try await kube.makeNamespace("rbac-elsewhere")
        for ns in [home, elsewhere] {
            try await kube.succeed(["create", "secret", "generic", "kept-\(ns)", "-n", ns, "--from-literal=k=v"])
        }
        let pod = try await InClusterRun(cluster: kube, namespace: home, serviceAccount: "renewer")
        let user = "system:serviceaccount:\(home):renewer"
        try await Self.apply(kube, """
            apiVersion: rbac.authorization.k8s.io/v1
            kind: Role
            metadata: {name: secret-reader, namespace: \(home)}
            rules:
            - {apiGroups: [""], resources: [secrets], verbs: [list]}
            ---
            apiVersion: rbac.authorization.k8s.io/v1
            kind: RoleBinding
            metadata: {name: secret-reader, namespace: \(home)}
            roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: secret-reader}
            subjects:
            - {kind: ServiceAccount, name: renewer}

            """)

        let own = try await pod.run("kubectl", ["get", "secrets", "-o", "name"])
        #expect(own.stdout == "secret/kept-\(home)\n", "\(own.stderr)")
        let other = try await pod.run("kubectl", ["get", "secrets", "-n", elsewhere])
        #expect(other.stderr == Self.forbidden("secrets", user: user, verb: "list", resource: "secrets", namespace: elsewhere) + "\n")
        let everywhere = try await pod.run("kubectl", ["get", "secrets", "-A"])
        #expect(everywhere.stderr == Self.forbidden("secrets", user: user, verb: "list", resource: "secrets", namespace: nil) + "\n")
        let one = try await pod.run("kubectl", ["get", "secret", "kept-\(home)"])
        #expect(one.stderr == Self.forbidden("secrets \"kept-\(home)\"", user: user, verb: "get", resource: "secrets", namespace: home) + "\n",
                "the Role allows list, not get")
    }

    @Test func resourceNamesWildcardsAndGroupSubjects_AgainstKubeTestServer() async throws {
        let kube = try await KubeTestCluster.own()
        let ns = try await kube.makeNamespace("rbac-names")
        try await kube.succeed(["create", "secret", "generic", "named-tls", "-n", ns, "--from-literal=k=v"])
        try await kube.succeed(["create", "secret", "generic", "unnamed-tls", "-n", ns, "--from-literal=k=v"])
        let pod = try await InClusterRun(cluster: kube, namespace: ns, serviceAccount: "shard-0")
        let user = "system:serviceaccount:\(ns):shard-0"
        try await Self.apply(kube, """
            apiVersion: rbac.authorization.k8s.io/v1
            kind: ClusterRole
            metadata: {name: rbac-names-\(ns)}
            rules:
            - {apiGroups: [""], resources: [secrets], resourceNames: [named-tls], verbs: [get, update]}
            - {apiGroups: ["*"], resources: ["*"], verbs: [watch]}
            - {apiGroups: [events.k8s.io], resources: ["*"], verbs: ["*"]}
            ---
            apiVersion: rbac.authorization.k8s.io/v1
            kind: ClusterRoleBinding
            metadata: {name: rbac-names-\(ns)}
            roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: rbac-names-\(ns)}
            subjects:
            - {kind: Group, name: "system:serviceaccounts:\(ns)"}

            """)

        let named = try await pod.run("kubectl", ["get", "secret", "named-tls", "-o", "name"])
        #expect(named.stdout == "secret/named-tls\n", "\(named.stderr)")
        let unnamed = try await pod.run("kubectl", ["get", "secret", "unnamed-tls"])
        #expect(unnamed.stderr == Self.forbidden("secrets \"unnamed-tls\"", user: user, verb: "get", resource: "secrets", namespace: ns) + "\n")
        let listed = try await pod.run("kubectl", ["get", "secrets"])
        #expect(listed.stderr == Self.forbidden("secrets", user: user, verb: "list", resource: "secrets", namespace: ns) + "\n",
                "resourceNames never allow a list")
        let event = try await pod.run("kubectl", ["create", "-f", "-", "-o", "name"], input: """
            apiVersion: events.k8s.io/v1
            kind: Event
            metadata: {name: named-tls.renewed, namespace: \(ns)}
            eventTime: "2026-12-01T10:00:00.000000Z"
            reportingController: kubectl-certs.io/renew
            reportingInstance: shard-0
            action: Renew
            reason: Renewed
            type: Normal
            regarding: {apiVersion: v1, kind: Secret, name: named-tls, namespace: \(ns)}

            """)
        #expect(event.stdout == "event.events.k8s.io/named-tls.renewed\n", "\(event.stderr)")
        let coreEvents = try await pod.run("kubectl", ["get", "events"])
        #expect(coreEvents.stderr == Self.forbidden("events", user: user, verb: "list", resource: "events", namespace: ns) + "\n",
                "the rule names events.k8s.io, not the core group")
    }

    @Test func authCanIAnswersFromTheSameRules_AgainstKubeTestServer() async throws {
        // `kubectl auth can-i` (a SelfSubjectAccessReview) lets a test prove a role grants no more
        // than it should, without trying each request.
        let kube = try await KubeTestCluster.own()
        let ns = try await kube.makeNamespace("rbac-can-i")
        let pod = try await InClusterRun(cluster: kube, namespace: ns, serviceAccount: "asker")
        try await Self.apply(kube, """
            apiVersion: rbac.authorization.k8s.io/v1
            kind: ClusterRole
            metadata: {name: rbac-can-i-\(ns)}
            rules:
            - {apiGroups: [""], resources: [secrets], verbs: [get, list, patch]}
            - {apiGroups: [coordination.k8s.io], resources: [leases], verbs: [create], resourceNames: []}
            ---
            apiVersion: rbac.authorization.k8s.io/v1
            kind: RoleBinding
            metadata: {name: rbac-can-i, namespace: \(ns)}
            roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: rbac-can-i-\(ns)}
            subjects:
            - {kind: ServiceAccount, name: asker, namespace: \(ns)}

            """)
        for (question, answer) in [(["list", "secrets"], "yes"), (["patch", "secret/web-tls"], "yes"),
                                   (["delete", "secrets"], "no"), (["list", "secrets", "-A"], "no"),
                                   (["create", "leases.coordination.k8s.io"], "yes"), (["create", "events"], "no")] {
            let asked = try await pod.run("kubectl", ["auth", "can-i"] + question)
            #expect(asked.stdout == answer + "\n", "can-i \(question.joined(separator: " ")): \(asked.stderr)")
            #expect(asked.status == (answer == "yes" ? 0 : 1))
        }
    }

    @Test func authCanIListAndWhoAmIDescribeTheServiceAccount_AgainstKubeTestServer() async throws {
        // `kubectl auth can-i --list` (a SelfSubjectRulesReview) shows everything a role grants,
        // beside what every user may do; `kubectl auth whoami` (a SelfSubjectReview) who is asking.
        let kube = try await KubeTestCluster.own()
        let ns = try await kube.makeNamespace("rbac-list")
        let pod = try await InClusterRun(cluster: kube, namespace: ns, serviceAccount: "lister")
        try await Self.apply(kube, """
            apiVersion: rbac.authorization.k8s.io/v1
            kind: ClusterRole
            metadata: {name: rbac-list-\(ns)}
            rules:
            - {apiGroups: [""], resources: [secrets], verbs: [get, list, patch]}
            - {apiGroups: [coordination.k8s.io], resources: [leases], resourceNames: [lock], verbs: [update]}
            ---
            apiVersion: rbac.authorization.k8s.io/v1
            kind: RoleBinding
            metadata: {name: rbac-list, namespace: \(ns)}
            roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: rbac-list-\(ns)}
            subjects:
            - {kind: ServiceAccount, name: lister}

            """)
        let listed = try await pod.run("kubectl", ["auth", "can-i", "--list"])
        #expect(listed.status == 0, "\(listed.stderr)")
        let rows = tableRows(listed.stdout)
        #expect(rows.first == ["Resources", "Non-Resource URLs", "Resource Names", "Verbs"])
        let resources = rows.dropFirst().filter { !$0[0].hasPrefix("[") }
        #expect(Set(resources) == [
            ["selfsubjectreviews.authentication.k8s.io", "[]", "[]", "[create]"],
            ["selfsubjectaccessreviews.authorization.k8s.io", "[]", "[]", "[create]"],
            ["selfsubjectrulesreviews.authorization.k8s.io", "[]", "[]", "[create]"],
            ["secrets", "[]", "[]", "[get list patch]"],
            ["leases.coordination.k8s.io", "[]", "[lock]", "[update]"],
        ], "\(listed.stdout)")
        #expect(rows.contains(["[/version]", "[]", "[get]"]), "discovery is open to every user: \(listed.stdout)")

        let elsewhere = try await pod.run("kubectl", ["auth", "can-i", "--list", "-n", "default"])
        #expect(!elsewhere.stdout.contains("secrets"), "the RoleBinding grants nothing outside its namespace")

        let who = tableRows(try await pod.run("kubectl", ["auth", "whoami"]).stdout)
        #expect(who == [["ATTRIBUTE", "VALUE"], ["Username", "system:serviceaccount:\(ns):lister"],
                        ["Groups", "[system:serviceaccounts system:serviceaccounts:\(ns) system:authenticated]"]])
    }

    @Test func aBindingToAMissingRoleIsNamedInTheDenial_AgainstKubeTestServer() async throws {
        let kube = try await KubeTestCluster.own()
        let ns = try await kube.makeNamespace("rbac-missing")
        let pod = try await InClusterRun(cluster: kube, namespace: ns, serviceAccount: "orphan")
        try await Self.apply(kube, """
            apiVersion: rbac.authorization.k8s.io/v1
            kind: ClusterRoleBinding
            metadata: {name: rbac-missing-\(ns)}
            roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: not-installed-\(ns)}
            subjects:
            - {kind: ServiceAccount, name: orphan, namespace: \(ns)}

            """)
        let denied = try await pod.run("kubectl", ["get", "secrets"])
        #expect(denied.stderr == Self.forbidden("secrets", user: "system:serviceaccount:\(ns):orphan", verb: "list", resource: "secrets", namespace: ns)
                + ": RBAC: clusterrole.rbac.authorization.k8s.io \"not-installed-\(ns)\" not found\n")
    }
}
