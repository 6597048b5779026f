import CertCore
import Foundation
import TestSupport
import Testing

/// `issue --http01` and issuers with http01 solvers against Pebble, the API test server and
/// the lab's ingress controller: the certificate is issued and no solver object is left.
@Suite(.lab) struct HTTP01IssueTests {
    @Test func twoNamesAreIssuedThroughTheIngressAndNothingIsLeft_AgainstLab() async throws {
        let setup = try await HTTP01Lab()
        let names = [setup.host("a"), setup.host("b")]
        let result = try await setup.issue(["-d", names[0], "-d", names[1], "--http01", "--secret", "web-tls"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(try await setup.certificateNames("web-tls") == Set(names))
        #expect(try setup.lab.verifyChain(try await setup.lab.secret("web-tls", setup.namespace)))
        #expect(result.stderr.contains("\(names[0]): HTTP-01 served at port 80"), "\(result.stderr)")
        #expect(try await setup.solverObjects() == [])
        #expect(try await setup.pendingRecord("web-tls") == nil)
    }

    @Test func aWildcardWithHTTP01IsRefusedBeforeAnythingIsOrdered_AgainstLab() async throws {
        let setup = try await HTTP01Lab()
        let result = try await setup.issue(["-d", "*.\(setup.host("w"))", "-d", setup.host("w"), "--http01", "--secret", "wild-tls"])
        #expect(result.status == 2)
        #expect(result.stderr.contains("a wildcard can be proven by DNS-01 only"), "\(result.stderr)")
        // Nothing reached the ACME server: not even the account key was made.
        #expect(try await setup.lab.client.list(.secrets, namespace: setup.namespace).isEmpty)
    }

    @Test func aCertificateWithAWildcardAndHTTP01IsRefusedBeforeAnythingIsOrdered_AgainstLab() async throws {
        let setup = try await HTTP01Lab()
        var certificate = CertManagerCertificate(name: "wild", namespace: setup.namespace)
        certificate.object[["spec"]] = ["secretName": "wild-tls", "dnsNames": [.string("*.\(setup.host("w"))")], "issuerRef": ["name": "none"]]
        _ = try await setup.lab.client.create(certificate.object)
        let result = try await setup.issue(["certificate/wild", "--http01"])
        #expect(result.status == 2)
        #expect(result.stderr.contains("is a wildcard, which can be proven by DNS-01 only"), "\(result.stderr)")
        #expect(try await setup.lab.client.list(.secrets, namespace: setup.namespace).isEmpty)
    }

    @Test func anIssuerWithOnlyAnHTTP01SolverCannotProveAWildcardAndOrdersNothing_AgainstLab() async throws {
        let setup = try await HTTP01Lab()
        var issuer = CertManagerIssuer(name: "http-only", namespace: setup.namespace)
        issuer.object[["spec"]] = ["acme": ["server": .string(setup.lab.pebble), "privateKeySecretRef": ["name": "account"],
                                            "solvers": [["http01": ["ingress": [:]]]]]]
        _ = try await setup.lab.client.create(issuer.object)
        let wildcard = "*.\(setup.host("o"))"
        var certificate = CertManagerCertificate(name: "only", namespace: setup.namespace)
        certificate.object[["spec"]] = ["secretName": "only-tls", "dnsNames": [.string(wildcard)], "issuerRef": ["name": "http-only"]]
        _ = try await setup.lab.client.create(certificate.object)
        let result = try await setup.issue(["certificate/only"])
        #expect(result.status == 2)
        #expect(result.stderr.contains("no solver of Issuer http-only matches \(wildcard) (a wildcard can be proven by DNS-01 only"), "\(result.stderr)")
        #expect(try await setup.lab.client.list(.secrets, namespace: setup.namespace).isEmpty)
    }

    @Test func aDryRunNamesEachHTTP01RouteAndCreatesNothing_AgainstLab() async throws {
        let setup = try await HTTP01Lab()
        let name = setup.host("d")
        let result = try await setup.issue(["-d", name, "--http01", "--ingress-class", setup.ingressClass, "--secret", "dry-tls", "--dry-run"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("\(name): HTTP-01, solver pod (docker.io/library/busybox:1.36) and service in \(setup.namespace), an Ingress of ingress class \(setup.ingressClass)"), "\(result.stdout)")
        #expect(try await setup.solverObjects() == [])
        #expect(try await setup.lab.client.list(.secrets, namespace: setup.namespace).isEmpty)
    }

    @Test func anIssuerMixesDNS01ForTheWildcardAndHTTP01ForTheName_AgainstLab() async throws {
        let setup = try await HTTP01Lab()
        let lab = setup.lab
        var tsig = Secret(name: "tsig", namespace: setup.namespace)
        tsig.data = ["key": Data(lab.tsigSecret.utf8)]
        _ = try await lab.client.create(tsig.object)
        // Both names lie in the http01 solver's zone, and the dns01 solver has no selector: the
        // wildcard still goes to it, as a wildcard can be proven by DNS-01 only.
        let dns01: JSONValue = ["dns01": ["rfc2136": [
            "nameserver": .string(lab.primary), "tsigKeyName": .string(lab.tsigKey), "tsigAlgorithm": "HMACSHA256",
            "tsigSecretSecretRef": ["name": "tsig", "key": "key"],
        ]]]
        let http01: JSONValue = ["http01": ["ingress": ["ingressClassName": .string(setup.ingressClass)]], "selector": ["dnsZones": [.string(setup.domain)]]]
        var issuer = CertManagerIssuer(name: "mixed", namespace: setup.namespace)
        issuer.object[["spec"]] = ["acme": ["server": .string(lab.pebble), "privateKeySecretRef": ["name": "account"], "solvers": [dns01, http01]]]
        _ = try await lab.client.create(issuer.object)
        // Not `*.NAME` and NAME: the TXT record at _acme-challenge.NAME would make NAME an empty
        // non-terminal, which the lab's `*.<ingress domain>` A record then no longer covers.
        let wildcard = "*.\(setup.host("w"))", name = setup.host("m")
        var certificate = CertManagerCertificate(name: "mixed", namespace: setup.namespace)
        certificate.object[["spec"]] = ["secretName": "mixed-tls", "dnsNames": [.string(wildcard), .string(name)], "issuerRef": ["name": "mixed"]]
        _ = try await lab.client.create(certificate.object)
        var environment = lab.environment
        for key in ["RFC2136_NAMESERVER", "RFC2136_TSIG_KEY", "RFC2136_TSIG_SECRET"] { environment.removeValue(forKey: key) }
        let result = try await Subprocess.run("kubectl", ["certs", "issue", "certificate/mixed", "-n", setup.namespace, "--acme-ca-bundle", lab.caBundle, "--dns-resolver", lab.resolver],
                                              environment: environment)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(try await setup.certificateNames("mixed-tls") == [wildcard, name])
        let base = String(wildcard.dropFirst(2))
        #expect(result.stderr.contains("TXT published: _acme-challenge.\(base)."), "\(result.stderr)")
        #expect(result.stderr.contains("\(name): HTTP-01 served at port 80"), "\(result.stderr)")
        #expect(try await setup.solverObjects() == [])
        try await LabDNS.waitUntilEmpty("_acme-challenge.\(base)")
    }

    @Test func killedMidChallengeTheRerunRemovesTheSolversAndIssues_AgainstLab() async throws {
        let setup = try await HTTP01Lab()
        let names = [setup.host("k1"), setup.host("k2")]
        // The image cannot be pulled: the self-check waits, with every solver object created.
        let arguments = ["kubectl", "certs", "issue", "-d", names[0], "-d", names[1], "--http01", "--secret", "kill-tls", "-n", setup.namespace]
        let killed = try RunningCommand(arguments + ["--http01-solver-image", "registry.invalid/solver:1"] + setup.lab.acmeFlags, environment: setup.lab.environment,
                                        signalOn: .init("HTTP-01: ingress answers 503", count: 2, signal: SIGKILL))
        #expect(await killed.wait() == SIGKILL)
        #expect(try await setup.solverObjects().count == 8, "\(killed.stderr)")
        let pending = try #require(try await setup.pendingRecord("kill-tls"))
        #expect(String(decoding: Secret(object: pending).data["pending.json"] ?? Data(), as: UTF8.self).contains("kubectl-certs-http01-"))

        let rerun = try await setup.issue(["-d", names[0], "-d", names[1], "--http01", "--secret", "kill-tls"])
        #expect(rerun.status == 0, "\(rerun.stderr)")
        #expect(rerun.stderr.contains("resuming order"), "\(rerun.stderr)")
        #expect(try await setup.certificateNames("kill-tls") == Set(names))
        #expect(try await setup.solverObjects() == [], "\(rerun.stderr)")
        #expect(try await setup.pendingRecord("kill-tls") == nil)
    }

    @Test func interruptedWhileWaitingItRemovesTheSolversAndExits130_AgainstLab() async throws {
        let setup = try await HTTP01Lab()
        let name = setup.host("i")
        let running = try RunningCommand(["kubectl", "certs", "issue", "-d", name, "--http01", "--secret", "int-tls", "-n", setup.namespace,
                                          "--http01-solver-image", "registry.invalid/solver:1"] + setup.lab.acmeFlags,
                                         environment: setup.lab.environment, signalOn: .init("HTTP-01: ingress answers 503", signal: SIGINT))
        #expect(await running.wait() == 130)
        #expect(running.stderr.contains("interrupted; what this run published for its challenges (DNS records, HTTP-01 solvers) was removed"), "\(running.stderr)")
        #expect(try await setup.solverObjects() == [])
    }

    @Test func aSelfCheckThatTimesOutSaysWhyAndRemovesTheSolver_AgainstLab() async throws {
        let setup = try await HTTP01Lab()
        let name = setup.host("t")
        let result = try await setup.issue(["-d", name, "--http01", "--secret", "slow-tls", "--http01-solver-image", "registry.invalid/solver:1", "--http01-timeout", "10s"])
        #expect(result.status == 1)
        #expect(result.stderr.contains("the HTTP-01 self-check timed out after 10 s"), "\(result.stderr)")
        #expect(result.stderr.contains("answered 503"), "\(result.stderr)")
        #expect(result.stderr.contains("registry.invalid/solver:1"), "\(result.stderr)")
        #expect(result.stderr.contains("--http01-solver-image"), "\(result.stderr)")
        #expect(try await setup.solverObjects() == [])
    }
}
