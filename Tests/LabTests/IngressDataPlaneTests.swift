import CertCore
import Foundation
import TestSupport
import Testing

/// The lab's data plane (lab/ingress) does with the API test server's objects what a cluster's
/// kubelet and ingress-nginx do: a busybox httpd Pod serves its ConfigMap, and the controller routes
/// requests by the Ingresses of its class. Each test works in its own namespace and host.
@Suite(.lab) struct IngressDataPlaneTests {
    static let challengePath = "/.well-known/acme-challenge/"

    @Test func servesTheConfigMapFileThroughTheIngress_AgainstIngressLab() async throws {
        let lab = try IngressLab()
        let ns = try await lab.kube.makeNamespace("ing-serve")
        defer { lab.kube.dropNamespace(ns) }
        let host = lab.uniqueHost("serve")
        let token = uniqueLabel("tok")
        try await lab.deploy(IngressLab.Solver(name: "solver", namespace: ns, host: host, files: [token: "\(token).thumbprint"]))

        // The controller learns of a new Ingress and a Ready Pod a moment after the API does.
        let answer = try await lab.waitForAnswer(host: host, path: Self.challengePath + token) { ![404, 503].contains($0.status) }
        #expect(answer.status == 200)
        #expect(answer.text == "\(token).thumbprint")
        #expect(answer.headers["Server"] == "nginx")
        let head = try await lab.request("HEAD", host: host, path: Self.challengePath + token)
        #expect(head.status == 200)
        #expect(head.body.isEmpty)

        // A file the ConfigMap does not hold: busybox httpd's own 404, through the controller.
        let missing = try await lab.request(host: host, path: Self.challengePath + "other")
        #expect(missing.status == 404)
        #expect(missing.text.contains("The requested URL was not found"))

        let pod = try await lab.kube.json(["get", "pod", "solver", "-n", ns])
        #expect(dig(pod, "status", "phase") as? String == "Running")
        #expect(dig(pod, "spec", "nodeName") as? String == "lab-node")
        let ip = try #require(dig(pod, "status", "podIP") as? String)
        #expect(ip.hasPrefix("10.244."))
        let conditions = dig(pod, "status", "conditions") as? [[String: Any]] ?? []
        #expect(conditions.contains { $0["type"] as? String == "Ready" && $0["status"] as? String == "True" })
        let reasons = try await eventReasons(lab, ns, pod: "solver") { $0.contains("Started") }
        #expect(Set(reasons) == ["Scheduled", "Pulled", "Created", "Started"] && reasons.count == 4, "\(reasons)")
    }

    @Test func aChangedConfigMapIsServedWithinASecond_AgainstIngressLab() async throws {
        let lab = try IngressLab()
        let ns = try await lab.kube.makeNamespace("ing-change")
        defer { lab.kube.dropNamespace(ns) }
        let host = lab.uniqueHost("change")
        try await lab.deploy(IngressLab.Solver(name: "solver", namespace: ns, host: host, files: ["t1": "first"]))
        try await lab.waitForAnswer(host: host, path: Self.challengePath + "t1") { $0.text == "first" }

        try await lab.kube.succeed(["patch", "configmap", "solver", "-n", ns, "--type=merge",
                                    "-p", #"{"data":{"t1":"second","t2":"added"}}"#])
        try await lab.waitForAnswer(host: host, path: Self.challengePath + "t1", timeout: .seconds(1)) { $0.text == "second" }
        let added = try await lab.request(host: host, path: Self.challengePath + "t2")
        #expect(added.status == 200)
        #expect(added.text == "added")
    }

    @Test func ingressesOfAnotherClassAreNotRouted_AgainstIngressLab() async throws {
        let lab = try IngressLab()
        let ns = try await lab.kube.makeNamespace("ing-class")
        defer { lab.kube.dropNamespace(ns) }
        let other = lab.uniqueHost("other")
        let legacy = lab.uniqueHost("legacy")
        let classless = lab.uniqueHost("classless")
        try await lab.deploy(IngressLab.Solver(name: "other", namespace: ns, host: other, files: ["t": "other"], ingressClass: "traefik"))
        var annotated = IngressLab.Solver(name: "legacy", namespace: ns, host: legacy, files: ["t": "legacy"], ingressClass: "")
        annotated.ingressAnnotations = ["kubernetes.io/ingress.class": "haproxy"]
        try await lab.deploy(annotated)
        // No class at all: the lab's IngressClass is the cluster's default, so its controller takes it.
        try await lab.deploy(IngressLab.Solver(name: "classless", namespace: ns, host: classless, files: ["t": "classless"], ingressClass: ""))

        try await lab.waitForAnswer(host: classless, path: Self.challengePath + "t") { $0.text == "classless" }
        for host in [other, legacy] {
            let answer = try await lab.request(host: host, path: Self.challengePath + "t")
            #expect(answer.status == 404, "\(host)")
            #expect(answer.text.contains("<center><h1>404 Not Found</h1></center>"), "\(host): \(answer.text)")
            #expect(answer.text.contains("<hr><center>nginx</center>"))
        }
    }

    @Test func aServiceWithoutARunningPodAnswers503_AgainstIngressLab() async throws {
        let lab = try IngressLab()
        let ns = try await lab.kube.makeNamespace("ing-503")
        defer { lab.kube.dropNamespace(ns) }
        let host = lab.uniqueHost("nopod")
        var solver = IngressLab.Solver(name: "solver", namespace: ns, host: host, files: ["t": "never served"])
        solver.image = "registry.example.invalid/solver:1"
        try await lab.apply(solver.objects(ingressClass: lab.settings.ingressClass))
        try await lab.waitForPod("solver", namespace: ns) { pod in
            (dig(pod, "status", "containerStatuses") as? [[String: Any]])?.isEmpty == false
        }

        let answer = try await lab.waitForAnswer(host: host, path: Self.challengePath + "t") { $0.status != 404 }
        #expect(answer.status == 503)
        #expect(answer.text.contains("<center><h1>503 Service Temporarily Unavailable</h1></center>"))
    }

    @Test func anUnknownImageStaysPendingWithTheKubeletsPullErrors_AgainstIngressLab() async throws {
        let lab = try IngressLab()
        let ns = try await lab.kube.makeNamespace("ing-image")
        defer { lab.kube.dropNamespace(ns) }
        var solver = IngressLab.Solver(name: "solver", namespace: ns, host: lab.uniqueHost("image"), files: ["t": "x"])
        solver.image = "ghcr.io/example/solver:2.0"
        try await lab.apply(solver.objects(ingressClass: lab.settings.ingressClass))

        func waiting(_ pod: [String: Any]) -> [String: Any]? {
            let statuses = dig(pod, "status", "containerStatuses") as? [[String: Any]]
            return dig(statuses?.first, "state", "waiting") as? [String: Any]
        }
        let pulling = try await lab.waitForPod("solver", namespace: ns) { waiting($0) != nil }
        #expect(dig(pulling, "status", "phase") as? String == "Pending")
        let first = try #require(waiting(pulling))
        if first["reason"] as? String == "ErrImagePull" {
            let message = first["message"] as? String ?? ""
            #expect(message.hasPrefix(#"Failed to pull image "ghcr.io/example/solver:2.0": "#))
            #expect(message.contains("lookup ghcr.io"))
        }
        let backOff = try await lab.waitForPod("solver", namespace: ns) { waiting($0)?["reason"] as? String == "ImagePullBackOff" }
        #expect(waiting(backOff)?["message"] as? String == #"Back-off pulling image "ghcr.io/example/solver:2.0""#)
        #expect(dig(backOff, "status", "phase") as? String == "Pending")
        let rows = tableRows(try await lab.kube.succeed(["get", "pods", "-n", ns]))
        #expect(rows.dropFirst().map { Array($0.prefix(4)) } == [["solver", "0/1", "ImagePullBackOff", "0"]])
        let reasons = try await eventReasons(lab, ns, pod: "solver") { $0.contains("BackOff") }
        #expect(Set(reasons) == ["Scheduled", "Pulling", "Failed", "BackOff"])
    }

    @Test func podsThatCannotServeShowWhatAKubeletWouldSay_AgainstIngressLab() async throws {
        let lab = try IngressLab()
        let ns = try await lab.kube.makeNamespace("ing-kubelet")
        defer { lab.kube.dropNamespace(ns) }
        let pods: [[String: Any]] = [
            // busybox httpd without -f puts itself in the background: the container's process ends.
            pod("daemon", ns, container: ["name": "web", "image": "busybox", "command": ["httpd", "-p", "8089", "-h", "/www"]]),
            // busybox runs as root; runAsNonRoot without a runAsUser cannot start it.
            pod("nonroot", ns, container: ["name": "web", "image": "busybox", "command": ["httpd", "-f", "-p", "8089"]],
                podSecurity: ["runAsNonRoot": true]),
            // A non-root process cannot bind a port below 1024.
            pod("lowport", ns, container: ["name": "web", "image": "busybox", "command": ["httpd", "-f", "-p", "80"],
                                           "securityContext": ["runAsUser": 1000]]),
            pod("nomap", ns, container: ["name": "web", "image": "busybox", "command": ["httpd", "-f", "-p", "8089"]],
                volumes: [["name": "files", "configMap": ["name": "missing-map"]]]),
        ]
        try await lab.apply(pods)
        let expected = ["daemon": "CrashLoopBackOff", "nonroot": "CreateContainerConfigError",
                        "lowport": "CrashLoopBackOff", "nomap": "ContainerCreating"]
        for (name, reason) in expected {
            let found = try await lab.waitForPod(name, namespace: ns) { pod in
                let statuses = dig(pod, "status", "containerStatuses") as? [[String: Any]]
                return dig(statuses?.first, "state", "waiting", "reason") as? String == reason
            }
            let ready = (dig(found, "status", "conditions") as? [[String: Any]] ?? [])
                .first { $0["type"] as? String == "Ready" }?["status"] as? String
            #expect(ready == "False", "\(name)")
        }
        let nonroot = try await lab.kube.json(["get", "pod", "nonroot", "-n", ns])
        let message = (dig(nonroot, "status", "containerStatuses") as? [[String: Any]])?.first
            .flatMap { dig($0, "state", "waiting", "message") as? String } ?? ""
        #expect(message.hasPrefix("container has runAsNonRoot and image will run as root (pod: \"nonroot_\(ns)("))
    }

    @Test func exactPathsWinAndPrefixesMatchWholeElements_AgainstIngressLab() async throws {
        let lab = try IngressLab()
        let ns = try await lab.kube.makeNamespace("ing-paths")
        defer { lab.kube.dropNamespace(ns) }
        let host = lab.uniqueHost("paths")
        // Three solvers for one host; each serves, under its own route, a file naming itself.
        let exact = IngressLab.Solver(name: "exact", namespace: ns, host: host, files: ["tok": "exact"],
                                      paths: [(Self.challengePath + "tok", "Exact")])
        let prefix = IngressLab.Solver(name: "prefix", namespace: ns, host: host, files: ["tok": "prefix", "more": "prefix-more"],
                                       paths: [("/.well-known/acme-challenge", "Prefix")])
        let specific = IngressLab.Solver(name: "specific", namespace: ns, host: host, files: ["x": "specific"],
                                         paths: [("/.well-known/acme", "ImplementationSpecific")])
        for solver in [exact, prefix, specific] { try await lab.deploy(solver) }

        try await lab.waitForAnswer(host: host, path: Self.challengePath + "more") { $0.text == "prefix-more" }
        let exactAnswer = try await lab.request(host: host, path: Self.challengePath + "tok")
        #expect(exactAnswer.text == "exact")
        // Prefix matches path elements: "/.well-known/acme-challenge-x" is not under it, but the
        // ImplementationSpecific "/.well-known/acme" (a string prefix, as nginx has it) takes it.
        // (Asked until busybox answers: the controller learns of the last solver a moment after the API.)
        let beside = try await lab.waitForAnswer(host: host, path: "/.well-known/acme-challenge-x") { $0.text.contains("The requested URL") }
        #expect(beside.status == 404)
        #expect(beside.text.contains("The requested URL was not found"), "busybox's 404 from the 'specific' solver: \(beside.text)")
        let elsewhere = try await lab.request(host: host, path: "/other")
        #expect(elsewhere.status == 404)
        #expect(elsewhere.text.contains("<hr><center>nginx</center>"), "the controller's own 404")
    }

    @Test func wildcardHostsMatchOneLabel_AgainstIngressLab() async throws {
        let lab = try IngressLab()
        let ns = try await lab.kube.makeNamespace("ing-wild")
        defer { lab.kube.dropNamespace(ns) }
        let parent = lab.uniqueHost("wild")
        try await lab.deploy(IngressLab.Solver(name: "wild", namespace: ns, host: "*." + parent, files: ["t": "wild"]))
        try await lab.waitForAnswer(host: "a." + parent, path: Self.challengePath + "t") { $0.text == "wild" }
        let deeper = try await lab.request(host: "b.a." + parent, path: Self.challengePath + "t")
        #expect(deeper.status == 404)
        let bare = try await lab.request(host: parent, path: Self.challengePath + "t")
        #expect(bare.status == 404)
    }

    @Test func sslRedirectSends308ExceptForAcmeChallengeLocations_AgainstIngressLab() async throws {
        let lab = try IngressLab()
        let ns = try await lab.kube.makeNamespace("ing-ssl")
        defer { lab.kube.dropNamespace(ns) }
        let host = lab.uniqueHost("ssl")
        try await lab.kube.succeed(["create", "secret", "generic", "web-tls", "-n", ns, "--type=kubernetes.io/tls",
                                    "--from-literal=tls.crt=not-checked", "--from-literal=tls.key=not-checked"])
        // The application's Ingress: the whole host, TLS, redirect to HTTPS.
        var app = IngressLab.Solver(name: "app", namespace: ns, host: host, files: ["t": "app"], paths: [("/", "Prefix")])
        app.tlsSecret = "web-tls"
        app.ingressAnnotations = ["nginx.ingress.kubernetes.io/ssl-redirect": "true"]
        try await lab.deploy(app)
        let redirected = try await lab.waitForAnswer(host: host, path: Self.challengePath + "t?x=1") { $0.status != 503 && $0.status != 404 }
        #expect(redirected.status == 308)
        #expect(redirected.headers["Location"] == "https://\(host)\(Self.challengePath)t?x=1")
        #expect(redirected.text.contains("<center><h1>308 Permanent Redirect</h1></center>"))

        // A solver Ingress for the challenge path: ingress-nginx never redirects a location under
        // /.well-known/acme-challenge (its no-tls-redirect-locations default).
        try await lab.deploy(IngressLab.Solver(name: "solver", namespace: ns, host: host, files: ["t": "solver"],
                                               paths: [(Self.challengePath + "t", "Exact")]))
        try await lab.waitForAnswer(host: host, path: Self.challengePath + "t") { $0.text == "solver" }

        // force-ssl-redirect redirects even where no certificate is served.
        let plain = lab.uniqueHost("force")
        var forced = IngressLab.Solver(name: "forced", namespace: ns, host: plain, files: ["t": "forced"], paths: [("/", "Prefix")])
        forced.ingressAnnotations = ["nginx.ingress.kubernetes.io/force-ssl-redirect": "true"]
        try await lab.deploy(forced)
        let forcedAnswer = try await lab.waitForAnswer(host: plain, path: "/t") { $0.status != 404 && $0.status != 503 }
        #expect(forcedAnswer.status == 308)
    }

    @Test func pebbleValidatesAnHTTP01ChallengeThroughTheIngress_AgainstIngressLabAndPebble() async throws {
        let lab = try IngressLab()
        let pebble = try PebbleLab()
        let ns = try await lab.kube.makeNamespace("ing-acme")
        defer { lab.kube.dropNamespace(ns) }
        let host = lab.uniqueHost("acme")
        let client = try await pebble.newAccount()
        let order = try await client.newOrder(identifiers: [.dns(host)])
        let authorization = try #require(try await client.authorizations(of: order).first)
        let challenge = try #require(authorization.challenge(type: "http-01"))
        let token = try #require(challenge.token)

        try await lab.deploy(IngressLab.Solver(name: "acme", namespace: ns, host: host,
                                               files: [token: await client.keyAuthorization(for: token)],
                                               paths: [(Self.challengePath + token, "Exact")]))
        try await lab.waitForAnswer(host: host, path: Self.challengePath + token) { $0.status == 200 }
        _ = try await client.respond(to: challenge)
        let validated = try await client.waitForAuthorization(at: authorization.url, timeout: .seconds(60))
        #expect(validated.status == .valid)
    }
}

/// The reasons of the Events about a Pod once `until` holds for them (or after 10 s).
private func eventReasons(_ lab: IngressLab, _ ns: String, pod: String, until: ([String]) -> Bool) async throws -> [String] {
    let deadline = ContinuousClock.now + .seconds(10)
    while true {
        let list = try await lab.kube.json(["get", "events", "-n", ns, "--field-selector", "involvedObject.name=\(pod)"])
        let reasons = (list["items"] as? [[String: Any]] ?? []).compactMap { $0["reason"] as? String }
        if until(reasons) || ContinuousClock.now >= deadline { return reasons }
        try await Task.sleep(for: .milliseconds(50))
    }
}

private func pod(_ name: String, _ namespace: String, container: [String: Any], podSecurity: [String: Any]? = nil,
                 volumes: [[String: Any]] = []) -> [String: Any] {
    var spec: [String: Any] = ["containers": [container], "volumes": volumes]
    if let podSecurity { spec["securityContext"] = podSecurity }
    return ["apiVersion": "v1", "kind": "Pod", "metadata": ["name": name, "namespace": namespace], "spec": spec]
}
