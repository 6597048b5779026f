import CertCore
import Foundation
import TestSupport
import Testing

/// What `kubectl certs install` grants, tried as its service account from inside a pod-like
/// environment (the token at /var/run/secrets/kubernetes.io/serviceaccount, no kubeconfig) on a
/// Kubernetes API test server of the test's own that enforces RBAC as kube-apiserver does.
@Suite(.lab) struct InstalledAccessTests {
    static let namespace = "kubectl-certs"
    static let serviceAccount = "kubectl-certs-renew"

    let binary = Subprocess.buildDirectory.appendingPathComponent("kubectl-certs").path

    /// A cluster with the renewal installed and, in a namespace of its own, an Ingress served by
    /// a TLS Secret.
    func installed() async throws -> (KubeTestCluster, InClusterRun, apps: String) {
        let kube = try await KubeTestCluster.own()
        let install = try await Subprocess.run(binary, ["install", "--image", "registry.example.test/kubectl-certs:1"], environment: ["KUBECONFIG": kube.kubeconfig])
        try #require(install.status == 0, "\(install.stderr)")
        let apps = try await kube.makeNamespace("apps")
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        let key = scratch.url.appendingPathComponent("tls.key").path, cert = scratch.url.appendingPathComponent("tls.crt").path
        let openssl = try await Subprocess.run("openssl", [
            "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", key, "-out", cert,
            "-subj", "/CN=shop.example.test", "-addext", "subjectAltName=DNS:shop.example.test", "-days", "30",
        ])
        try #require(openssl.status == 0, "\(openssl.stderr)")
        try await kube.succeed(["create", "secret", "tls", "shop-tls", "--cert", cert, "--key", key, "-n", apps])
        let ingress = """
            apiVersion: networking.k8s.io/v1
            kind: Ingress
            metadata: {name: shop, namespace: \(apps)}
            spec:
              defaultBackend: {service: {name: shop, port: {number: 80}}}
              tls: [{hosts: [shop.example.test], secretName: shop-tls}]
            """
        try #require(try await kube.kubectl(["apply", "-f", "-"], input: Data(ingress.utf8)).status == 0)
        let pod = try await InClusterRun(cluster: kube, namespace: Self.namespace, serviceAccount: Self.serviceAccount)
        return (kube, pod, apps)
    }

    @Test func statusRunsAcrossNamespacesAsTheInstalledServiceAccount_AgainstKubeTestServer() async throws {
        let (kube, pod, apps) = try await installed()
        let status = try await pod.run(binary, ["status", "-A", "-o", "json"])
        #expect(status.status == 0, "\(status.stderr)")
        let report = try JSONValue.decode(Data(status.stdout.utf8))
        let rows = report["items"]?.arrayValue ?? []
        #expect(rows.map { "\($0["namespace"]?.stringValue ?? "")/\($0["name"]?.stringValue ?? "")" } == ["\(apps)/ingress/shop"], "\(status.stdout)")
        #expect(report["notes"]?.arrayValue ?? [] == [], "nothing was forbidden: \(status.stdout)")
        #expect(!status.stderr.contains("forbidden"), "\(status.stderr)")

        // The binding is what lets it: without it, the same run is refused what it reads.
        try await kube.succeed(["delete", "clusterrolebinding", "kubectl-certs-renew-kubectl-certs"])
        let refused = try await pod.run(binary, ["status", "-A", "-o", "json"])
        let notes = try JSONValue.decode(Data(refused.stdout.utf8))["notes"]?.arrayValue?.compactMap(\.stringValue) ?? []
        #expect(notes.contains("cannot list Secrets across namespaces: forbidden; certificates in them are not shown"), "\(refused.stdout)")
        #expect(notes.contains("cannot list ingresses.networking.k8s.io across namespaces: forbidden"), "\(refused.stdout)")
        #expect(!refused.stdout.contains("ingress/shop"))
    }

    @Test func theServiceAccountMayDoWhatRenewDoesAndNothingMore_AgainstKubeTestServer() async throws {
        let (_, pod, apps) = try await installed()
        let granted: [[String]] = [
            ["list", "secrets", "-A"], ["get", "secrets", "-n", apps], ["create", "secrets", "-n", apps],
            ["update", "secrets", "-n", apps], ["patch", "secrets", "-n", apps], ["delete", "secrets", "-n", apps],
            ["list", "ingresses.networking.k8s.io", "-A"], ["get", "ingresses.networking.k8s.io", "-n", apps],
            ["list", "certificates.cert-manager.io", "-A"], ["get", "issuers.cert-manager.io", "-n", apps],
            ["get", "clusterissuers.cert-manager.io"], ["list", "clusterissuers.cert-manager.io"],
            ["create", "events.events.k8s.io", "-n", apps], ["patch", "events.events.k8s.io", "-n", apps],
            ["create", "leases.coordination.k8s.io", "-n", apps], ["get", "leases.coordination.k8s.io", "-n", apps],
            ["update", "leases.coordination.k8s.io", "-n", apps], ["delete", "leases.coordination.k8s.io", "-n", apps],
            ["list", "leases.coordination.k8s.io", "-A"],
            // HTTP-01 solvers.
            ["create", "configmaps", "-n", apps], ["delete", "configmaps", "-n", apps],
            ["create", "pods", "-n", apps], ["get", "pods", "-n", apps], ["delete", "pods", "-n", apps],
            ["create", "services", "-n", apps], ["delete", "services", "-n", apps],
            ["create", "ingresses.networking.k8s.io", "-n", apps], ["patch", "ingresses.networking.k8s.io", "-n", apps],
            ["delete", "ingresses.networking.k8s.io", "-n", apps], ["list", "ingressclasses.networking.k8s.io"],
        ]
        let refused: [[String]] = [
            ["watch", "secrets", "-A"], ["deletecollection", "secrets", "-n", apps],
            ["update", "ingresses.networking.k8s.io", "-n", apps], ["deletecollection", "ingresses.networking.k8s.io", "-n", apps],
            ["create", "certificates.cert-manager.io", "-n", apps], ["update", "clusterissuers.cert-manager.io"],
            ["create", "events", "-n", apps], ["list", "events.events.k8s.io", "-A"],
            ["patch", "leases.coordination.k8s.io", "-n", apps],
            ["list", "pods", "-A"], ["update", "pods", "-n", apps], ["create", "pods", "--subresource=exec", "-n", apps], ["list", "configmaps", "-A"],
            ["get", "configmaps", "-n", apps], ["update", "configmaps", "-n", apps], ["get", "services", "-n", apps], ["patch", "services", "-n", apps],
            ["create", "ingressclasses.networking.k8s.io"], ["delete", "ingressclasses.networking.k8s.io"],
            ["create", "clusterroles.rbac.authorization.k8s.io"], ["create", "clusterrolebindings.rbac.authorization.k8s.io"],
            ["delete", "cronjobs.batch", "-n", Self.namespace], ["list", "namespaces"], ["create", "serviceaccounts/token", "-n", Self.namespace],
        ]
        for (questions, answer) in [(granted, "yes"), (refused, "no")] {
            for question in questions {
                let asked = try await pod.run("kubectl", ["auth", "can-i"] + question)
                #expect(asked.stdout == answer + "\n", "can-i \(question.joined(separator: " ")): \(asked.stdout) \(asked.stderr)")
            }
        }
    }

    @Test func renewRunsInClusterAsTheInstalledServiceAccount_AgainstLab() async throws {
        let lab = try IssueLab()
        let (kube, pod, apps) = try await installed()
        let client = try KubernetesClient(options: KubeConfigOptions(kubeconfig: kube.kubeconfig, context: "lab-admin"))
        let name = "\(IssueLab.label()).\(lab.zone)"
        // Issued from a laptop (as the cluster's admin), into the test's own cluster.
        var laptop = lab.environment
        laptop["KUBECONFIG"] = kube.kubeconfig
        let issued = try await Subprocess.run(binary, ["issue", "-d", "*.\(name)", "-d", name, "--secret", "wild-tls", "-n", apps, "--dns", "rfc2136"] + lab.acmeFlags, environment: laptop)
        try #require(issued.status == 0, "\(issued.stderr)")
        let before = try await client.get(Secret.self, name: "wild-tls", namespace: apps)

        // Renewed in the cluster, as the CronJob's pod runs it: the service account's token, the
        // provider's variables from the environment (as --env-from-secret puts them there).
        let credentials = ["RFC2136_NAMESERVER": lab.primary, "RFC2136_TSIG_KEY": lab.tsigKey, "RFC2136_TSIG_SECRET": lab.tsigSecret]
        let renewed = try await pod.run(binary, ["renew", "-A", "--within", "100000h", "-o", "json"] + lab.renewFlags, environment: credentials)
        #expect(renewed.status == 0, "\(renewed.stdout) \(renewed.stderr)")
        let items = try JSONValue.decode(Data(renewed.stdout.utf8))["items"]?.arrayValue ?? []
        #expect(items.map { "\($0["secret"]?.stringValue ?? "") \($0["outcome"]?.stringValue ?? "")" } == ["wild-tls renewed"], "\(renewed.stdout)")
        #expect(!renewed.stderr.contains("forbidden"), "\(renewed.stderr)")
        let after = try await client.get(Secret.self, name: "wild-tls", namespace: apps)
        #expect(after.data["tls.crt"] != before.data["tls.crt"])
        #expect(try lab.verifyChain(after))
        // What renew writes besides the certificate: an Event on the Secret, no Lease left.
        let events = try await client.list(.events, namespace: apps)
        #expect(events.contains { $0[["reason"]] == "Renewed" && $0[["regarding", "name"]] == "wild-tls" }, "\(events.map(\.json))")
        #expect(try await client.list(.leases, namespace: apps).isEmpty)
        #expect(!renewed.stderr.contains(lab.tsigSecret) && !renewed.stdout.contains(lab.tsigSecret))
    }

    @Test func anHTTP01RenewalRunsInClusterAsTheInstalledServiceAccount_AgainstLab() async throws {
        // The lab's own cluster: its ingress controller serves what the solver creates there.
        let setup = try await HTTP01Lab()
        let kube = try KubeTestCluster()
        let installNamespace = try await kube.makeNamespace("kc-install")
        defer { kube.dropNamespace(installNamespace) }
        let install = try await Subprocess.run(binary, ["install", "-n", installNamespace, "--image", "registry.example.test/kubectl-certs:1"], environment: setup.lab.environment)
        try #require(install.status == 0, "\(install.stderr)")
        let name = setup.host("sa")
        // Issued from a laptop (as the cluster's admin), renewed as the CronJob's pod runs it.
        let issued = try await setup.issue(["-d", name, "--http01", "--ingress-class", setup.ingressClass, "--secret", "sa-tls"])
        try #require(issued.status == 0, "\(issued.stderr)")
        let before = try await setup.lab.secret("sa-tls", setup.namespace)

        try await setup.forgetAccounts()
        let pod = try await InClusterRun(cluster: kube, namespace: installNamespace, serviceAccount: Self.serviceAccount)
        let renewed = try await pod.run(binary, ["renew", "secret/sa-tls", "-n", setup.namespace, "--within", "100000h", "-o", "json"] + setup.lab.renewFlags)
        #expect(renewed.status == 0, "\(renewed.stdout) \(renewed.stderr)")
        let items = try JSONValue.decode(Data(renewed.stdout.utf8))["items"]?.arrayValue ?? []
        #expect(items.map { "\($0["secret"]?.stringValue ?? "") \($0["outcome"]?.stringValue ?? "")" } == ["sa-tls renewed"], "\(renewed.stdout)")
        #expect(!renewed.stderr.contains("forbidden") && !renewed.stdout.contains("forbidden"), "\(renewed.stderr)")
        #expect(renewed.stderr.contains("\(name): HTTP-01 served at port 80"), "\(renewed.stderr)")
        #expect(renewed.stderr.contains("HTTP-01 solver created in \(setup.namespace)"), "\(renewed.stderr)")
        #expect(try await setup.lab.secret("sa-tls", setup.namespace).data["tls.crt"] != before.data["tls.crt"])
        #expect(try await setup.solverObjects() == [], "every solver object removed, as the service account")
        let uninstall = try await Subprocess.run(binary, ["uninstall", "-n", installNamespace], environment: setup.lab.environment)
        #expect(uninstall.status == 0, "\(uninstall.stderr)")
    }
}
