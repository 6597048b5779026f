import Foundation
import TestSupport
import Testing

/// The real kubectl (1.32) applies, gets, describes and deletes Pods, Services and IngressClasses on
/// the API test server (a server of each test's own, with no data plane: its Pods stay Pending),
/// and sees the defaults and allocations kube-apiserver would make.
@Suite(.lab) struct KubectlWorkloadsFidelityTests {
    static func manifest(_ ns: String, image: String = "busybox:1.36", command: String = "httpd") -> String {
        """
        apiVersion: v1
        kind: Pod
        metadata:
          name: solver
          namespace: \(ns)
          labels: {app: solver}
        spec:
          containers:
          - name: httpd
            image: \(image)
            command: [\(command), -f, -p, "8089", -h, /www]
            ports: [{name: http, containerPort: 8089}]
        ---
        apiVersion: v1
        kind: Service
        metadata:
          name: solver
          namespace: \(ns)
        spec:
          selector: {app: solver}
          ports: [{port: 8089, targetPort: http}]

        """
    }

    @Test func appliesGetsAndDescribesPodsAndServices_AgainstKubeTestServer() async throws {
        let kube = try await KubeTestCluster.own()
        let ns = try await kube.makeNamespace("workloads")
        let applied = try await kube.kubectl(["apply", "-f", "-"], input: Data(Self.manifest(ns).utf8))
        #expect(applied.status == 0, "\(applied.stderr)")
        #expect(applied.stdout == "pod/solver created\nservice/solver created\n")

        let pods = tableRows(try await kube.succeed(["get", "pods", "-n", ns]))
        #expect(pods.first == ["NAME", "READY", "STATUS", "RESTARTS", "AGE"])
        #expect(pods.dropFirst().map { Array($0.prefix(4)) } == [["solver", "0/1", "Pending", "0"]])
        let wide = tableRows(try await kube.succeed(["get", "pods", "-n", ns, "-o", "wide"]))
        #expect(wide.first == ["NAME", "READY", "STATUS", "RESTARTS", "AGE", "IP", "NODE", "NOMINATED NODE", "READINESS GATES"])

        let services = tableRows(try await kube.succeed(["get", "svc", "-n", ns]))
        #expect(services.first == ["NAME", "TYPE", "CLUSTER-IP", "EXTERNAL-IP", "PORT(S)", "AGE"])
        let row = try #require(services.dropFirst().first)
        #expect(row[0] == "solver" && row[1] == "ClusterIP" && row[3] == "<none>" && row[4] == "8089/TCP")
        #expect(row[2].hasPrefix("10.96."))

        // The field selectors kube-apiserver offers on Pods.
        let pending = try await kube.succeed(["get", "pods", "-n", ns, "--field-selector=status.phase=Pending,spec.nodeName=", "-o", "name"])
        #expect(pending == "pod/solver\n")
        let running = try await kube.kubectl(["get", "pods", "-n", ns, "--field-selector=status.phase=Running", "-o", "name"])
        #expect(running.stdout.isEmpty && running.status == 0, "\(running.stderr)")

        let pod = try await kube.json(["get", "pod", "solver", "-n", ns])
        #expect(dig(pod, "status", "phase") as? String == "Pending")
        #expect(dig(pod, "status", "qosClass") as? String == "BestEffort")
        #expect(dig(pod, "spec", "restartPolicy") as? String == "Always")
        let container = (dig(pod, "spec", "containers") as? [[String: Any]])?.first
        #expect(container?["imagePullPolicy"] as? String == "IfNotPresent")
        let service = try await kube.json(["get", "service", "solver", "-n", ns])
        #expect(dig(service, "spec", "clusterIPs") as? [String] == [row[2]])
        let port = (dig(service, "spec", "ports") as? [[String: Any]])?.first
        #expect(port?["protocol"] as? String == "TCP")
        #expect(port?["targetPort"] as? String == "http")

        let describedPod = try await kube.succeed(["describe", "pod", "solver", "-n", ns])
        #expect(field("Status", in: describedPod) == "Pending")
        #expect(field("QoS Class", in: describedPod) == "BestEffort")
        let describedService = try await kube.succeed(["describe", "service", "solver", "-n", ns])
        #expect(field("IP", in: describedService) == row[2])
        #expect(field("TargetPort", in: describedService) == "http/TCP")

        // Applying again keeps the allocated cluster IP; changing the image is allowed on a Pod.
        let again = try await kube.kubectl(["apply", "-f", "-"], input: Data(Self.manifest(ns, image: "busybox:1.37").utf8))
        #expect(again.stdout == "pod/solver configured\nservice/solver unchanged\n", "\(again.stderr)")
        let kept = try await kube.json(["get", "service", "solver", "-n", ns])
        #expect(dig(kept, "spec", "clusterIP") as? String == row[2])

        let deleted = try await kube.succeed(["delete", "service/solver", "-n", ns])
        #expect(deleted == "service \"solver\" deleted\n")
        // A Pod's DELETE answers the Pod, as kube-apiserver's (graceful) pod storage does.
        let raw = try await kube.succeed(["delete", "--raw", "/api/v1/namespaces/\(ns)/pods/solver"])
        let answer = try JSONSerialization.jsonObject(with: Data(raw.utf8)) as? [String: Any]
        #expect(answer?["kind"] as? String == "Pod")
        let gone = try await kube.kubectl(["get", "pod", "solver", "-n", ns])
        #expect(gone.stderr.contains(#"pods "solver" not found"#))
    }

    @Test func refusesWhatKubeApiserverRefuses_AgainstKubeTestServer() async throws {
        let kube = try await KubeTestCluster.own()
        let ns = try await kube.makeNamespace("workloads-bad")
        let applied = try await kube.kubectl(["apply", "-f", "-"], input: Data(Self.manifest(ns).utf8))
        try #require(applied.status == 0, "\(applied.stderr)")

        // A replace with the manifest as written (no defaults in it) is defaulted before it is
        // compared: nothing changed, so it is accepted.
        let replaced = try await kube.kubectl(["replace", "-f", "-"], input: Data(Self.manifest(ns).utf8))
        #expect(replaced.status == 0, "\(replaced.stderr)")

        // A Pod's command cannot change.
        let changed = try await kube.kubectl(["apply", "-f", "-"], input: Data(Self.manifest(ns, command: "/bin/httpd").utf8))
        #expect(changed.status != 0)
        #expect(changed.stderr.contains(#"The Pod "solver" is invalid: spec: Forbidden: pod updates may not change fields other than `spec.containers[*].image`"#))

        // A cluster IP already given to another Service.
        let taken = try await kube.json(["get", "service", "solver", "-n", ns])
        let ip = try #require(dig(taken, "spec", "clusterIP") as? String)
        let clash = try await kube.kubectl(["create", "service", "clusterip", "clash", "--tcp=80:80", "--clusterip=\(ip)", "-n", ns,
                                            "--dry-run=client", "-o", "json"])
        let created = try await kube.kubectl(["create", "-f", "-"], input: Data(clash.stdout.utf8))
        #expect(created.status != 0)
        #expect(created.stderr.contains(#"The Service "clash" is invalid: spec.clusterIPs: Invalid value: ["\#(ip)"]: failed to allocate IP \#(ip): provided IP is already allocated"#),
                "\(created.stderr)")

        let noPorts = try await kube.kubectl(["create", "-f", "-"], input: Data("""
            {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "empty", "namespace": "\(ns)"}, "spec": {"selector": {"a": "b"}}}
            """.utf8))
        #expect(noPorts.stderr.contains(#"The Service "empty" is invalid: spec.ports: Required value"#), "\(noPorts.stderr)")
    }

    @Test func ingressClassesAreClusterScoped_AgainstKubeTestServer() async throws {
        let kube = try await KubeTestCluster.own()
        let name = uniqueLabel("class")
        let applied = try await kube.kubectl(["apply", "-f", "-"], input: Data("""
            apiVersion: networking.k8s.io/v1
            kind: IngressClass
            metadata:
              name: \(name)
              annotations: {ingressclass.kubernetes.io/is-default-class: "true"}
            spec: {controller: k8s.io/ingress-nginx}
            """.utf8))
        try #require(applied.status == 0, "\(applied.stderr)")
        let rows = tableRows(try await kube.succeed(["get", "ingressclass", name]))
        #expect(rows.first == ["NAME", "CONTROLLER", "PARAMETERS", "AGE"])
        #expect(rows.dropFirst().map { Array($0.prefix(3)) } == [[name, "k8s.io/ingress-nginx", "<none>"]])
        let resources = try await kube.succeed(["api-resources", "--api-group=networking.k8s.io", "--no-headers"])
        let line = resources.split(separator: "\n").first { $0.hasPrefix("ingressclasses ") }.map { tableRows(String($0)).first ?? [] }
        #expect(line == ["ingressclasses", "networking.k8s.io/v1", "false", "IngressClass"])
        #expect(try await kube.succeed(["delete", "ingressclass", name]) == "ingressclass.networking.k8s.io \"\(name)\" deleted\n")
    }
}

/// The value of `name:` in kubectl describe's output.
private func field(_ name: String, in output: String) -> String? {
    output.split(separator: "\n").first { $0.hasPrefix(name + ":") }
        .map { $0.dropFirst(name.count + 1).trimmingCharacters(in: .whitespaces) }
}
