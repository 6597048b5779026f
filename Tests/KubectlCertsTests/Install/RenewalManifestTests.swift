@testable import kubectl_certs
import CertCore
import Testing

/// The objects install applies: what each one says, and that they hold together.
@Suite struct RenewalManifestTests {
    func installation(namespace: String = RenewalInstallation.defaultNamespace, owns: Bool = true, shards: Int? = nil,
                      secrets: [String] = [], arguments: [String] = []) -> RenewalInstallation {
        RenewalInstallation(namespace: namespace, ownsNamespace: owns, schedule: .twiceDaily(minute: 13, hour: 2),
                            image: "registry.example.test/kubectl-certs:9.9", shards: shards,
                            credentialSecrets: secrets, renewArguments: arguments)
    }

    func object(_ kind: String, in objects: [KubernetesObject]) throws -> KubernetesObject {
        try #require(objects.first { $0.kind == kind }, "no \(kind) among \(objects.compactMap(\.kind))")
    }

    @Test func theDefaultNamespaceIsMadeFirstAndEveryObjectCarriesTheLabels() throws {
        let objects = installation().objects
        #expect(objects.map { $0.kind ?? "" } == ["Namespace", "ServiceAccount", "ClusterRole", "ClusterRoleBinding", "CronJob"])
        #expect(objects.map { $0.apiVersion ?? "" } == ["v1", "v1", "rbac.authorization.k8s.io/v1", "rbac.authorization.k8s.io/v1", "batch/v1"])
        for object in objects {
            #expect(object.labels == [
                "app.kubernetes.io/name": "kubectl-certs",
                "app.kubernetes.io/managed-by": "kubectl-certs",
                "app.kubernetes.io/component": "renewal",
                "kubectl-certs.io/install-namespace": "kubectl-certs",
            ], "\(object.kind ?? "")")
        }
        #expect(objects[0].name == "kubectl-certs")
        #expect(objects.filter { $0.kind == "ServiceAccount" || $0.kind == "CronJob" }.allSatisfy { $0.namespace == "kubectl-certs" })
        #expect(objects.filter { $0.kind?.hasPrefix("Cluster") == true }.allSatisfy { $0.namespace == nil })
    }

    @Test func aNamespaceNamedByTheUserIsNotPartOfTheInstallation() throws {
        let objects = installation(namespace: "platform", owns: false).objects
        #expect(!objects.contains { $0.kind == "Namespace" })
        #expect(objects.allSatisfy { $0.labels["kubectl-certs.io/install-namespace"] == "platform" })
        // Cluster-wide names carry the namespace, so installs in two namespaces do not collide.
        #expect(try object("ClusterRole", in: objects).name == "kubectl-certs-renew-platform")
        #expect(try object("ClusterRoleBinding", in: objects).name == "kubectl-certs-renew-platform")
        #expect(RenewalInstallation.selector(namespace: "platform") == "app.kubernetes.io/component=renewal,app.kubernetes.io/managed-by=kubectl-certs,app.kubernetes.io/name=kubectl-certs,kubectl-certs.io/install-namespace=platform")
    }

    @Test func theBindingGivesTheClusterRoleToTheServiceAccountThePodRunsAs() throws {
        let objects = installation(namespace: "ops", owns: false).objects
        let account = try object("ServiceAccount", in: objects)
        let role = try object("ClusterRole", in: objects)
        let binding = try object("ClusterRoleBinding", in: objects)
        let cronJob = try object("CronJob", in: objects)
        #expect(binding[["roleRef"]] == ["apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": .string(role.name)])
        #expect(binding[["subjects"]] == [["kind": "ServiceAccount", "name": .string(account.name), "namespace": "ops"]])
        let pod = try #require(cronJob[["spec", "jobTemplate", "spec", "template", "spec"]])
        #expect(pod["serviceAccountName"] == .string(account.name))
        #expect(pod["automountServiceAccountToken"] == true)
        #expect(account[["automountServiceAccountToken"]] == true)
    }

    @Test func theClusterRoleGrantsWhatRenewUsesAndNothingMore() throws {
        let role = try object("ClusterRole", in: installation().objects)
        var grants: [String: [String]] = [:]
        for rule in role[["rules"]]?.arrayValue ?? [] {
            let groups = rule["apiGroups"]?.arrayValue?.compactMap(\.stringValue) ?? []
            let resources = rule["resources"]?.arrayValue?.compactMap(\.stringValue) ?? []
            let verbs = rule["verbs"]?.arrayValue?.compactMap(\.stringValue) ?? []
            #expect(!groups.contains("*") && !resources.contains("*") && !verbs.contains("*"), "no wildcards")
            for group in groups {
                for resource in resources { grants["\(group)/\(resource)", default: []] += verbs }
            }
        }
        #expect(grants.mapValues { $0.sorted() } == [
            "/secrets": ["create", "delete", "get", "list", "patch", "update"],
            // HTTP-01 solvers: created and removed, the Pod read to say why it does not serve, an
            // Ingress patched for --ingress-edit, the classes listed to check the one named.
            "/configmaps": ["create", "delete"],
            "/services": ["create", "delete"],
            "/pods": ["create", "delete", "get"],
            "networking.k8s.io/ingresses": ["create", "delete", "get", "list", "patch"],
            "networking.k8s.io/ingressclasses": ["list"],
            "cert-manager.io/certificates": ["get", "list"],
            "cert-manager.io/issuers": ["get", "list"],
            "cert-manager.io/clusterissuers": ["get", "list"],
            "events.k8s.io/events": ["create", "patch"],
            "coordination.k8s.io/leases": ["create", "delete", "get", "list", "update"],
        ])
    }

    @Test func theCronJobRunsOneRenewalAtATimeWithBoundsOnEveryRun() throws {
        let cronJob = try object("CronJob", in: installation().objects)
        let spec = try #require(cronJob[["spec"]])
        #expect(cronJob.name == "kubectl-certs-renew" && cronJob.name.count <= 52)
        #expect(spec["schedule"] == "13 2,14 * * *")
        #expect(spec["concurrencyPolicy"] == "Forbid")
        #expect(spec["startingDeadlineSeconds"] == 3600)
        #expect(spec["successfulJobsHistoryLimit"] == 3)
        #expect(spec["failedJobsHistoryLimit"] == 3)
        let job = try #require(spec["jobTemplate"]?["spec"])
        #expect(job["backoffLimit"] == 2)
        #expect(job["activeDeadlineSeconds"] == 10800)
        #expect(job["completionMode"] == nil && job["completions"] == nil && job["parallelism"] == nil)
        #expect(spec["jobTemplate"]?["metadata"]?["labels"]?["app.kubernetes.io/component"] == "renewal")
        #expect(job["template"]?["metadata"]?["labels"]?["app.kubernetes.io/name"] == "kubectl-certs")
    }

    @Test func thePodIsLockedDown() throws {
        let cronJob = try object("CronJob", in: installation().objects)
        let pod = try #require(cronJob[["spec", "jobTemplate", "spec", "template", "spec"]])
        #expect(pod["restartPolicy"] == "Never")
        #expect(pod["securityContext"] == [
            "runAsNonRoot": true,
            "runAsUser": .number(Double(RenewalInstallation.runAsUser)),
            "runAsGroup": .number(Double(RenewalInstallation.runAsUser)),
            "seccompProfile": ["type": "RuntimeDefault"],
        ])
        // The binary writes no file (HOME, XDG or temporary), so there is no volume at all.
        #expect(pod["volumes"] == nil)
        let containers = try #require(pod["containers"]?.arrayValue)
        #expect(containers.count == 1)
        let container = containers[0]
        #expect(container["image"] == "registry.example.test/kubectl-certs:9.9")
        #expect(container["command"] == nil, "the image's entrypoint is the binary")
        #expect(container["args"] == ["renew", "-A"])
        #expect(container["securityContext"] == [
            "allowPrivilegeEscalation": false,
            "readOnlyRootFilesystem": true,
            "runAsNonRoot": true,
            "capabilities": ["drop": ["ALL"]],
        ])
        #expect(container["resources"]?["requests"]?["cpu"] != nil)
        #expect(container["resources"]?["requests"]?["memory"] != nil)
        #expect(container["resources"]?["limits"]?["memory"] != nil)
        #expect(container["resources"]?["limits"]?["cpu"] == nil, "a CPU limit only throttles a short run")
        #expect(container["envFrom"] == nil && container["env"] == nil)
    }

    @Test func shardsMakeAnIndexedJobOfThatManyPods() throws {
        let cronJob = try object("CronJob", in: installation(shards: 3).objects)
        let job = try #require(cronJob[["spec", "jobTemplate", "spec"]])
        #expect(job["completionMode"] == "Indexed")
        #expect(job["completions"] == 3)
        #expect(job["parallelism"] == 3)
        #expect(job["template"]?["spec"]?["containers"]?.arrayValue?.first?["args"] == ["renew", "-A", "--shards", "3"])
    }

    @Test func credentialsComeFromSecretsAndMoreArgumentsFollowTheRenewCommand() throws {
        let cronJob = try object("CronJob", in: installation(shards: 2, secrets: ["dns-credentials", "aws"], arguments: ["--within", "720h"]).objects)
        let container = try #require(cronJob[["spec", "jobTemplate", "spec", "template", "spec", "containers"]]?.arrayValue?.first)
        #expect(container["envFrom"] == [["secretRef": ["name": "dns-credentials"]], ["secretRef": ["name": "aws"]]])
        #expect(container["args"] == ["renew", "-A", "--shards", "2", "--within", "720h"])
    }

    @Test func kubectlNamesKindsAsItPrintsThem() {
        let objects = installation().objects
        #expect(objects.map(KubernetesNames.kind(of:)) == [
            "namespace", "serviceaccount", "clusterrole.rbac.authorization.k8s.io",
            "clusterrolebinding.rbac.authorization.k8s.io", "cronjob.batch",
        ])
    }

    @Test(arguments: [("kubectl-certs", true), ("a", true), ("team-a1", true), ("-a", false), ("a-", false), ("A", false),
                      ("a.b", false), ("", false), (String(repeating: "a", count: 63), true), (String(repeating: "a", count: 64), false)])
    func namespaceNamesAreRFC1123Labels(_ name: String, _ valid: Bool) {
        #expect(KubernetesNames.isLabel(name) == valid)
    }

    @Test(arguments: [("dns-credentials", true), ("a.b-c", true), ("a..b", false), ("Creds", false), ("a_b", false), (".a", false)])
    func secretNamesAreRFC1123Subdomains(_ name: String, _ valid: Bool) {
        #expect(KubernetesNames.isSubdomain(name) == valid)
    }
}
