@testable import kubectl_certs
import CertCore
import Foundation
import TestSupport
import Testing

/// Edit-in-place against the Kubernetes API test server: what is added is taken out exactly.
@Suite(.lab) struct IngressEditTests {
    static let path: JSONValue = ["path": "/.well-known/acme-challenge/tok", "pathType": "ImplementationSpecific",
                                  "backend": ["service": ["name": "solver-1", "port": ["number": 8089]]]]

    func ingress(_ lab: IssueLab, namespace: String, rules: JSONValue?) async throws -> KubernetesObject {
        var ingress = KubernetesObject(.ingresses, name: "site", namespace: namespace)
        ingress[["spec"]] = rules.map { ["rules": $0] } ?? ["defaultBackend": ["service": ["name": "site", "port": ["number": 80]]]]
        return try await lab.client.create(ingress)
    }

    @Test func aHostWithoutARuleGetsOneAndLosesItAgain_AgainstKubeTestServer() async throws {
        let lab = try IssueLab()
        let namespace = try await lab.namespace()
        let before = try await ingress(lab, namespace: namespace, rules: [["host": "other.example.test", "http": ["paths": [
            ["path": "/", "pathType": "Prefix", "backend": ["service": ["name": "site", "port": ["number": 80]]]],
        ]]]])
        let edit = IngressEdit(client: lab.client)
        try await edit.add(Self.path, host: "shop.example.test", to: "site", namespace: namespace)
        let added = try await lab.client.get(.ingresses, name: "site", namespace: namespace)
        #expect(added[["spec", "rules"]]?.arrayValue?.count == 2)
        #expect(added[["spec", "rules"]]?.arrayValue?.last?["host"] == "shop.example.test")
        // Adding again changes nothing.
        try await edit.add(Self.path, host: "shop.example.test", to: "site", namespace: namespace)
        #expect(try await lab.client.get(.ingresses, name: "site", namespace: namespace)[["spec"]] == added[["spec"]])
        try await edit.remove(path: "/.well-known/acme-challenge/tok", service: "solver-1", host: "shop.example.test", from: "site", namespace: namespace)
        #expect(try await lab.client.get(.ingresses, name: "site", namespace: namespace)[["spec"]] == before[["spec"]])
    }

    @Test func anIngressWithOnlyADefaultBackendGetsRulesAndLosesThemAgain_AgainstKubeTestServer() async throws {
        let lab = try IssueLab()
        let namespace = try await lab.namespace()
        let before = try await ingress(lab, namespace: namespace, rules: nil)
        let edit = IngressEdit(client: lab.client)
        try await edit.add(Self.path, host: "shop.example.test", to: "site", namespace: namespace)
        #expect(try await lab.client.get(.ingresses, name: "site", namespace: namespace)[["spec", "rules"]]?.arrayValue?.count == 1)
        try await edit.remove(path: "/.well-known/acme-challenge/tok", service: "solver-1", host: "shop.example.test", from: "site", namespace: namespace)
        #expect(try await lab.client.get(.ingresses, name: "site", namespace: namespace)[["spec"]] == before[["spec"]])
    }

    @Test func aPathOfTheSameNameToAnotherServiceIsNotTaken_AgainstKubeTestServer() async throws {
        let lab = try IssueLab()
        let namespace = try await lab.namespace()
        let theirs: JSONValue = ["path": "/.well-known/acme-challenge/tok", "pathType": "ImplementationSpecific",
                                 "backend": ["service": ["name": "their-solver", "port": ["number": 8089]]]]
        let before = try await ingress(lab, namespace: namespace, rules: [["host": "shop.example.test", "http": ["paths": [theirs]]]])
        try await IngressEdit(client: lab.client).remove(path: "/.well-known/acme-challenge/tok", service: "solver-1", host: "shop.example.test", from: "site", namespace: namespace)
        #expect(try await lab.client.get(.ingresses, name: "site", namespace: namespace)[["spec"]] == before[["spec"]])
    }

    @Test func removingFromAnIngressThatIsGoneIsDoneAndAddingToOneIsRefused_AgainstKubeTestServer() async throws {
        let lab = try IssueLab()
        let namespace = try await lab.namespace()
        let edit = IngressEdit(client: lab.client)
        try await edit.remove(path: "/x", service: "s", host: "shop.example.test", from: "gone", namespace: namespace)
        await #expect {
            try await edit.add(Self.path, host: "shop.example.test", to: "gone", namespace: namespace)
        } throws: { error in
            (error as? CommandFailure)?.message.contains("ingress \(namespace)/gone, which the HTTP-01 solver edits, does not exist") == true
        }
    }
}

/// The pending record with HTTP-01 solver sets, and as runs before HTTP-01 wrote it.
@Suite(.lab) struct PendingOrderSolverSetTests {
    @Test func aRecordWithoutSolverSetsStillReadsAndSetsRoundTrip() throws {
        let old = #"{"server":"https://ca.test/dir","names":["a.test"],"records":[]}"#
        let decoded = try JSONDecoder().decode(PendingOrder.self, from: Data(old.utf8))
        #expect(decoded.http01 == nil)
        var order = decoded
        order.http01 = [PendingOrder.SolverSet(namespace: "shop", name: "kubectl-certs-http01-r-1", domain: "a.test", path: "/.well-known/acme-challenge/t", editedIngress: "web")]
        let again = try JSONDecoder().decode(PendingOrder.self, from: JSONEncoder().encode(order))
        #expect(again.http01 == order.http01)
        #expect(order.http01?.first?.description == "HTTP-01 solver shop/kubectl-certs-http01-r-1 (configmap, pod, service, the path /.well-known/acme-challenge/t in ingress shop/web) for a.test")
    }
}
