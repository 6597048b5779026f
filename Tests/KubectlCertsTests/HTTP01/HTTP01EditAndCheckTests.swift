import CertCore
import Foundation
import TestSupport
import Testing

/// `issue ingress/NAME --http01 --ingress-edit` and `http01 check` against the lab's ingress.
@Suite(.lab) struct HTTP01EditAndCheckTests {
    /// An Ingress of the user's: a rule for `host` with a path of theirs, and TLS for it.
    func userIngress(_ setup: HTTP01Lab, host: String) async throws -> KubernetesObject {
        var ingress = KubernetesObject(.ingresses, name: "web", namespace: setup.namespace)
        ingress.annotations = ["owner": "team-web"]
        ingress[["spec"]] = [
            "ingressClassName": .string(setup.ingressClass),
            "tls": [["hosts": [.string(host)], "secretName": "web-tls"]],
            "rules": [["host": .string(host), "http": ["paths": [
                ["path": "/", "pathType": "Prefix", "backend": ["service": ["name": "web", "port": ["number": 80]]]],
            ]]]],
        ]
        return try await setup.lab.client.create(ingress)
    }

    @Test func anIngressTargetIsSolvedThroughItsOwnIngressClass_AgainstLab() async throws {
        let setup = try await HTTP01Lab()
        let host = setup.host("k")
        // The Ingress names its controller by class; the solver goes to that controller, not to
        // the cluster's default one — unless --ingress-class says otherwise.
        var ingress = try await userIngress(setup, host: host)
        ingress[["spec", "ingressClassName"]] = "internal-web"
        _ = try await setup.lab.client.update(ingress)
        let inherited = try await setup.issue(["ingress/web", "--http01", "--dry-run"])
        #expect(inherited.status == 0, "\(inherited.stderr)")
        #expect(inherited.stdout.contains("\(host): HTTP-01, solver pod (docker.io/library/busybox:1.36) and service in \(setup.namespace), an Ingress of ingress class internal-web"), "\(inherited.stdout)")
        let chosen = try await setup.issue(["ingress/web", "--http01", "--ingress-class", setup.ingressClass, "--dry-run"])
        #expect(chosen.stdout.contains("an Ingress of ingress class \(setup.ingressClass)"), "\(chosen.stdout)")
        // The legacy annotation names the class the same way.
        var legacy = try await setup.lab.client.get(.ingresses, name: "web", namespace: setup.namespace)
        legacy[["spec", "ingressClassName"]] = nil
        legacy.annotations["kubernetes.io/ingress.class"] = "legacy-web"
        _ = try await setup.lab.client.update(legacy)
        let annotated = try await setup.issue(["ingress/web", "--http01", "--dry-run"])
        #expect(annotated.stdout.contains("an Ingress of ingress class legacy-web (kubernetes.io/ingress.class)"), "\(annotated.stdout)")
    }

    @Test func theEditedIngressGetsTheChallengePathAndLosesExactlyIt_AgainstLab() async throws {
        let setup = try await HTTP01Lab()
        let host = setup.host("e")
        let before = try await userIngress(setup, host: host)
        let result = try await setup.issue(["ingress/web", "--http01", "--ingress-edit"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(try await setup.certificateNames("web-tls") == [host])
        // The path was there while the CA looked: the ingress controller routed it to the solver.
        #expect(result.stderr.contains("\(host): HTTP-01 served at port 80"), "\(result.stderr)")
        let after = try await setup.lab.client.get(.ingresses, name: "web", namespace: setup.namespace)
        #expect(after[["spec"]] == before[["spec"]])
        #expect(after.annotations == before.annotations)
        #expect(try await setup.solverObjects() == [])
    }

    @Test func theChallengePathIsRemovedWithoutUndoingAnEditMadeMeanwhile_AgainstLab() async throws {
        let setup = try await HTTP01Lab()
        let host = setup.host("c")
        _ = try await userIngress(setup, host: host)
        // The solver cannot start, so the run waits with its path in the Ingress; meanwhile the
        // user adds a path of their own.
        let running = try RunningCommand(["kubectl", "certs", "issue", "ingress/web", "-n", setup.namespace, "--http01", "--ingress-edit",
                                          "--http01-solver-image", "registry.invalid/solver:1", "--http01-timeout", "10m"] + setup.lab.acmeFlags,
                                         environment: setup.lab.environment)
        #expect(try await running.waitFor("HTTP-01: ingress answers 503"))
        let edited = try await setup.lab.client.get(.ingresses, name: "web", namespace: setup.namespace)
        let paths = edited[["spec", "rules"]]?.arrayValue?.first?["http"]?["paths"]?.arrayValue ?? []
        #expect(paths.count == 2)
        #expect(paths.last?["path"]?.stringValue?.hasPrefix("/.well-known/acme-challenge/") == true)
        let theirs: JSONValue = ["path": "/api", "pathType": "Prefix", "backend": ["service": ["name": "api", "port": ["number": 80]]]]
        _ = try await setup.lab.client.jsonPatch(.ingresses, name: "web", namespace: setup.namespace, operations: [
            ["op": "add", "path": "/spec/rules/0/http/paths/0", "value": theirs],
        ])
        running.signal(SIGINT)
        #expect(await running.wait() == 130, "\(running.stderr)")
        let after = try await setup.lab.client.get(.ingresses, name: "web", namespace: setup.namespace)
        let left = (after[["spec", "rules"]]?.arrayValue?.first?["http"]?["paths"]?.arrayValue ?? []).compactMap { $0["path"]?.stringValue }
        #expect(left == ["/api", "/"], "\(running.stderr)")
        #expect(try await setup.solverObjects() == [])
    }

    @Test func aPathRemovalRacingAnotherEditIsRetriedAndRemovesOnlyOurs_AgainstLab() async throws {
        let setup = try await HTTP01Lab()
        let host = setup.host("r")
        _ = try await userIngress(setup, host: host)
        // The run's first PATCH (adding its path) goes through; its second (removing it by
        // index) is held until the user has inserted a path ahead of it.
        let faults = try KubeFaults()
        let path = KubeFaults.path(namespace: setup.namespace, resource: "ingresses", name: "web")
        let hold = "removal-\(setup.namespace)"
        try await faults.add([["method": "PATCH", "path": path, "delayMs": 1], ["method": "PATCH", "path": path, "hold": hold]])
        // --request-timeout 0: the held removal is waited for however long this test takes to
        // make its edit (with the default 30 s, a starved test saw the run give up on the held
        // request and make the removal again before the edit, so no conflict ever happened).
        let running = try RunningCommand(["kubectl", "certs", "issue", "ingress/web", "-n", setup.namespace, "--http01", "--ingress-edit", "--request-timeout", "0"] + setup.lab.acmeFlags,
                                         environment: setup.lab.environment)
        while try await !faults.queued(mentioning: setup.namespace).isEmpty {
            try await Task.sleep(for: .milliseconds(50))
        }
        let theirs: JSONValue = ["path": "/api", "pathType": "Prefix", "backend": ["service": ["name": "api", "port": ["number": 80]]]]
        _ = try await setup.lab.client.jsonPatch(.ingresses, name: "web", namespace: setup.namespace, operations: [
            ["op": "add", "path": "/spec/rules/0/http/paths/0", "value": theirs],
        ])
        try await faults.release(hold)
        #expect(await running.wait() == 0, "\(running.stderr)")
        let after = try await setup.lab.client.get(.ingresses, name: "web", namespace: setup.namespace)
        let left = (after[["spec", "rules"]]?.arrayValue?.first?["http"]?["paths"]?.arrayValue ?? []).compactMap { $0["path"]?.stringValue }
        #expect(left == ["/api", "/"], "\(running.stderr)")
        // The held removal was refused (its version test failed) and made again.
        let patches = try await faults.requests(mentioning: "\(setup.namespace)/ingresses/web").filter { $0.method == "PATCH" }.map(\.status)
        #expect(patches.contains(422), "\(patches)")
        #expect(patches.last == 200, "\(patches)")
    }

    @Test func editingAnIngressNeedsAnIngressTarget() async throws {
        let result = try await Subprocess.run("kubectl", ["certs", "issue", "-d", "www.example.test", "--secret", "x", "--http01", "--ingress-edit"],
                                              environment: ["PATH": "\(Subprocess.buildDirectory.path):\(ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin")"])
        #expect(result.status == 2)
        #expect(result.stderr.contains("--ingress-edit edits the Ingress named as the target"), "\(result.stderr)")
    }

    @Test func checkPassesOnARoutableHostAndLeavesNothing_AgainstLab() async throws {
        let setup = try await HTTP01Lab()
        let host = setup.host("p")
        let result = try await setup.run(["http01", "check", "-d", host])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("http://\(host)/.well-known/acme-challenge/"), "\(result.stdout)")
        #expect(result.stdout.contains("the probe solver was removed"), "\(result.stdout)")
        #expect(try await setup.solverObjects() == [])
    }

    @Test func aCheckRemovesTheProbeAKilledCheckLeft_AgainstLab() async throws {
        let setup = try await HTTP01Lab()
        // The image cannot be pulled: the check waits with its probe solver in place.
        let killed = try RunningCommand(["kubectl", "certs", "http01", "check", "-d", setup.host("k"), "-n", setup.namespace, "--dns-resolver", setup.lab.resolver,
                                         "--http01-solver-image", "registry.invalid/solver:1"],
                                        environment: setup.lab.environment, signalOn: .init("HTTP-01: ingress answers 503", signal: SIGKILL))
        #expect(await killed.wait() == SIGKILL)
        #expect(try await setup.solverObjects().count == 4, "\(killed.stderr)")
        let result = try await setup.run(["http01", "check", "-d", setup.host("k")])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.contains("removing 1 probe solver(s) a killed check left"), "\(result.stderr)")
        #expect(try await setup.solverObjects() == [])
    }

    @Test func checkWithAClassThatDoesNotExistSaysWhichDo_AgainstLab() async throws {
        let setup = try await HTTP01Lab()
        let result = try await setup.run(["http01", "check", "-d", setup.host("w"), "--ingress-class", "wrong"])
        #expect(result.status == 2)
        #expect(result.stderr.contains("no IngressClass named wrong exists"), "\(result.stderr)")
        #expect(result.stderr.contains("\(setup.ingressClass) (default)"), "\(result.stderr)")
        #expect(try await setup.solverObjects() == [])
    }

    @Test func checkWithAClassNoControllerServesExplainsThe404_AgainstLab() async throws {
        let setup = try await HTTP01Lab()
        let className = uniqueLabel("unserved")
        var ingressClass = KubernetesObject(.ingressClasses, name: className)
        ingressClass[["spec"]] = ["controller": "example.test/no-such-controller"]
        _ = try await setup.lab.client.create(ingressClass)
        defer { Task { try? await setup.lab.client.delete(.ingressClasses, name: className) } }
        let result = try await setup.run(["http01", "check", "-d", setup.host("u"), "--ingress-class", className, "--http01-timeout", "3s"])
        #expect(result.status == 1)
        #expect(result.stderr.contains("answered 404"), "\(result.stderr)")
        #expect(result.stderr.contains("does a controller serve ingress class \(className)?"), "\(result.stderr)")
        #expect(try await setup.solverObjects() == [])
    }
}
