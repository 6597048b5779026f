import CertCore
import Foundation
import TestSupport
import Testing

/// `renew` of certificates whose names were proven by HTTP-01 — with `issue --http01` (its
/// settings recorded on the Secret) or through an issuer's http01 solver — against Pebble, the
/// API test server and the lab's ingress controller.
@Suite(.lab) struct RenewHTTP01Tests {
    // Each renewal runs after `setup.forgetAccounts()`: the lab's Pebble would otherwise reuse
    // the authorizations of the issuance and ask to prove nothing.

    /// `renew TARGET` in the test's namespace, due at once (Pebble's certificates last years).
    func renew(_ setup: HTTP01Lab, _ target: String) async throws -> (Subprocess.Result, [String]) {
        let result = try await setup.lab.renew([target, "-n", setup.namespace, "--within", "50000h", "-o", "json"])
        let items = (try? JSONValue.decode(Data(result.stdout.utf8))["items"]?.arrayValue) ?? []
        return (result, items.map { "\($0["secret"]?.stringValue ?? "") \($0["outcome"]?.stringValue ?? "")" })
    }

    @Test func aCertificateIssuedWithHTTP01RenewsThroughHTTP01AndLeavesNoSolver_AgainstLab() async throws {
        let setup = try await HTTP01Lab()
        let name = setup.host("r")
        let issued = try await setup.issue(["-d", name, "--http01", "--secret", "plain-tls"])
        try #require(issued.status == 0, "\(issued.stderr)")
        let before = try await setup.lab.secret("plain-tls", setup.namespace)
        #expect(before.annotations["kubectl-certs.io/http01"] == "true")

        try await setup.forgetAccounts()
        let (renewed, outcomes) = try await renew(setup, "secret/plain-tls")
        #expect(renewed.status == 0, "\(renewed.stdout) \(renewed.stderr)")
        #expect(outcomes == ["plain-tls renewed"], "\(renewed.stdout)")
        #expect(renewed.stderr.contains("\(name): HTTP-01 served at port 80"), "\(renewed.stderr)")
        #expect(renewed.stderr.contains("HTTP-01 solver created in \(setup.namespace)"), "\(renewed.stderr)")
        let after = try await setup.lab.secret("plain-tls", setup.namespace)
        #expect(after.data["tls.crt"] != before.data["tls.crt"])
        #expect(try await setup.certificateNames("plain-tls") == [name])
        #expect(try setup.lab.verifyChain(after))
        #expect(after.annotations["kubectl-certs.io/http01"] == "true", "a renewal records what the next one needs")
        #expect(try await setup.solverObjects() == [])
        #expect(try await setup.pendingRecord("plain-tls") == nil)
    }

    @Test func theRecordedIngressClassIsTheOneTheRenewalUses_AgainstLab() async throws {
        let setup = try await HTTP01Lab()
        let name = setup.host("c")
        let issued = try await setup.issue(["-d", name, "--http01", "--ingress-class", setup.ingressClass, "--secret", "class-tls"])
        try #require(issued.status == 0, "\(issued.stderr)")
        #expect(try await setup.lab.secret("class-tls", setup.namespace).annotations["kubectl-certs.io/http01-ingress-class"] == setup.ingressClass)

        try await setup.forgetAccounts()
        let (renewed, outcomes) = try await renew(setup, "secret/class-tls")
        #expect(renewed.status == 0, "\(renewed.stdout) \(renewed.stderr)")
        #expect(outcomes == ["class-tls renewed"], "\(renewed.stdout)")
        #expect(try await setup.solverObjects() == [])

        // The class read back is the one asked for: a class the cluster lacks stops the renewal
        // before anything is created or ordered.
        let missing = uniqueLabel("gone-class")
        _ = try await setup.lab.client.mergePatch(.secrets, name: "class-tls", namespace: setup.namespace,
                                                  patch: ["metadata": ["annotations": ["kubectl-certs.io/http01-ingress-class": .string(missing)]]])
        let (refused, refusedOutcomes) = try await renew(setup, "secret/class-tls")
        #expect(refused.status == 1)
        #expect(refusedOutcomes == ["class-tls failed"], "\(refused.stdout)")
        #expect(refused.stdout.contains("no IngressClass named \(missing) exists"), "\(refused.stdout)")
        #expect(try await setup.solverObjects() == [])
    }

    @Test func theRecordedEditedIngressIsTheOneTheRenewalEdits_AgainstLab() async throws {
        let setup = try await HTTP01Lab()
        let host = setup.host("e")
        var ingress = KubernetesObject(.ingresses, name: "shop", namespace: setup.namespace)
        ingress[["spec"]] = [
            "ingressClassName": .string(setup.ingressClass),
            "tls": [["hosts": [.string(host)], "secretName": "edit-tls"]],
            "rules": [["host": .string(host), "http": ["paths": [
                ["path": "/", "pathType": "Prefix", "backend": ["service": ["name": "shop", "port": ["number": 80]]]],
            ]]]],
        ]
        let before = try await setup.lab.client.create(ingress)
        let issued = try await setup.issue(["ingress/shop", "--http01", "--ingress-edit"])
        try #require(issued.status == 0, "\(issued.stderr)")
        #expect(try await setup.lab.secret("edit-tls", setup.namespace).annotations["kubectl-certs.io/http01-ingress-edit"] == "shop")

        try await setup.forgetAccounts()
        let (renewed, outcomes) = try await renew(setup, "secret/edit-tls")
        #expect(renewed.status == 0, "\(renewed.stdout) \(renewed.stderr)")
        #expect(outcomes == ["edit-tls renewed"], "\(renewed.stdout)")
        #expect(renewed.stderr.contains("\(host): HTTP-01 served at port 80"), "\(renewed.stderr)")
        #expect(try await setup.lab.client.get(.ingresses, name: "shop", namespace: setup.namespace)[["spec"]] == before[["spec"]])
        #expect(try await setup.solverObjects() == [])

        // The Ingress read back is the one edited: one that is gone stops the renewal.
        let missing = uniqueLabel("gone-ingress")
        _ = try await setup.lab.client.mergePatch(.secrets, name: "edit-tls", namespace: setup.namespace,
                                                  patch: ["metadata": ["annotations": ["kubectl-certs.io/http01-ingress-edit": .string(missing)]]])
        try await setup.forgetAccounts()
        let (refused, refusedOutcomes) = try await renew(setup, "secret/edit-tls")
        #expect(refused.status == 1)
        #expect(refusedOutcomes == ["edit-tls failed"], "\(refused.stdout)")
        #expect(refused.stdout.contains("ingress \(setup.namespace)/\(missing), which the HTTP-01 solver edits, does not exist"), "\(refused.stdout)")
        #expect(try await setup.solverObjects() == [])
    }

    @Test func aCertificateOfAnIssuerWithAnHTTP01SolverRenewsThroughIt_AgainstLab() async throws {
        let setup = try await HTTP01Lab()
        var issuer = CertManagerIssuer(name: "web-http", namespace: setup.namespace)
        issuer.object[["spec"]] = ["acme": ["server": .string(setup.lab.pebble), "privateKeySecretRef": ["name": "web-http-account"],
                                            "solvers": [["http01": ["ingress": ["ingressClassName": .string(setup.ingressClass)]]]]]]
        _ = try await setup.lab.client.create(issuer.object)
        let name = setup.host("i")
        var certificate = CertManagerCertificate(name: "web", namespace: setup.namespace)
        certificate.object[["spec"]] = ["secretName": "issuer-tls", "dnsNames": [.string(name)], "issuerRef": ["name": "web-http"]]
        _ = try await setup.lab.client.create(certificate.object)
        let issued = try await setup.issue(["certificate/web"])
        try #require(issued.status == 0, "\(issued.stderr)")
        let before = try await setup.lab.secret("issuer-tls", setup.namespace)
        #expect(before.annotations["kubectl-certs.io/http01"] == nil, "the issuer says how its names are proven")

        try await setup.forgetAccounts()
        let (renewed, outcomes) = try await renew(setup, "secret/issuer-tls")
        #expect(renewed.status == 0, "\(renewed.stdout) \(renewed.stderr)")
        #expect(outcomes == ["issuer-tls renewed"], "\(renewed.stdout)")
        #expect(renewed.stderr.contains("\(name): HTTP-01 served at port 80"), "\(renewed.stderr)")
        #expect(try await setup.lab.secret("issuer-tls", setup.namespace).data["tls.crt"] != before.data["tls.crt"])
        #expect(try await setup.solverObjects() == [])
    }
}

extension HTTP01Lab {
    /// A new account for the next run, with no valid authorization to reuse.
    func forgetAccounts() async throws {
        try await lab.forgetAccounts(in: namespace)
    }
}
