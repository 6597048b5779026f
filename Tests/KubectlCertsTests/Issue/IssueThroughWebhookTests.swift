import CertCore
import Foundation
import TestSupport
import Testing

/// The `webhook` provider: a cert-manager webhook solver (lab/webhook-solver, which publishes
/// into the lab's BIND with nsupdate) registered as an APIService and called through the API
/// test server's aggregation, as cert-manager calls it through kube-aggregator.
@Suite(.lab) struct IssueThroughWebhookTests {
    func environment(_ lab: IssueLab, _ solver: WebhookSolverLab, config: String) -> [String: String] {
        var environment = lab.environment.filter { !$0.key.hasPrefix("RFC2136_") }
        environment["WEBHOOK_GROUP_NAME"] = solver.group
        environment["WEBHOOK_SOLVER_NAME"] = solver.name
        environment["WEBHOOK_CONFIG"] = config
        return environment
    }

    @Test func aWildcardAndItsApexThroughAWebhookSolver_AgainstLab() async throws {
        let lab = try IssueLab()
        let solver = try await WebhookSolverLab(lab)
        let namespace = try await lab.namespace()
        let base = "\(IssueLab.label()).\(lab.zone)"
        let result = try await Subprocess.run("kubectl", ["certs", "issue", "-d", "*.\(base)", "-d", base, "--secret", "hook-tls", "-n", namespace, "--dns", "webhook"] + lab.acmeFlags,
                                              environment: environment(lab, solver, config: #"{"apiKeySecretRef":{"name":"dns-api","key":"token"}}"#))
        #expect(result.status == 0, "\(result.stderr)")
        #expect(try lab.verifyChain(try await lab.secret("hook-tls", namespace)))
        #expect(try LabDNS.txt("_acme-challenge.\(base)", at: lab.primary).isEmpty, "challenge records left behind")

        // Two Presents and two CleanUps, each as cert-manager sends it.
        let requests = try solver.payloads().compactMap { $0["request"] as? [String: Any] }
        #expect(requests.map { $0["action"] as? String }.sorted { ($0 ?? "") < ($1 ?? "") } == ["CleanUp", "CleanUp", "Present", "Present"])
        for request in requests {
            #expect(request["type"] as? String == "dns-01")
            #expect(request["resolvedFQDN"] as? String == "_acme-challenge.\(base).")
            #expect(request["resolvedZone"] as? String == "\(lab.zone).")
            #expect(request["resourceNamespace"] as? String == namespace)
            #expect(request["allowAmbientCredentials"] as? Bool == false)
            #expect((request["config"] as? [String: Any])?["apiKeySecretRef"] != nil)
        }
        #expect(Set(requests.compactMap { $0["dnsName"] as? String }) == ["*.\(base)", base])
    }

    @Test func anIssuerWithAWebhookSolverIssuesThroughCertificate_AgainstLab() async throws {
        let lab = try IssueLab()
        let solver = try await WebhookSolverLab(lab)
        let namespace = try await lab.namespace()
        let base = "\(IssueLab.label()).\(lab.zone)"
        let issuer: JSONValue = [
            "apiVersion": "cert-manager.io/v1", "kind": "Issuer",
            "metadata": ["name": "hooked", "namespace": .string(namespace)],
            "spec": ["acme": [
                "server": .string(lab.pebble), "privateKeySecretRef": ["name": "hooked-account"],
                "solvers": [["dns01": ["webhook": ["groupName": .string(solver.group), "solverName": .string(solver.name), "config": ["team": "payments"]]]]],
            ]],
        ]
        _ = try await lab.client.create(KubernetesObject(json: issuer))
        let certificate: JSONValue = [
            "apiVersion": "cert-manager.io/v1", "kind": "Certificate",
            "metadata": ["name": "web", "namespace": .string(namespace)],
            "spec": ["secretName": "web-tls", "dnsNames": [.string(base)], "issuerRef": ["name": "hooked", "kind": "Issuer"]],
        ]
        _ = try await lab.client.create(KubernetesObject(json: certificate))
        let result = try await Subprocess.run("kubectl", ["certs", "issue", "certificate/web", "-n", namespace] + lab.acmeFlags, environment: lab.environment.filter { !$0.key.hasPrefix("RFC2136_") })
        #expect(result.status == 0, "\(result.stderr)")
        #expect(try lab.verifyChain(try await lab.secret("web-tls", namespace)))
        let configs = try solver.payloads().compactMap { ($0["request"] as? [String: Any])?["config"] as? [String: Any] }
        #expect(!configs.isEmpty && configs.allSatisfy { $0["team"] as? String == "payments" })
    }

    @Test func aSolverThatRefusesIsNamedWithItsMessageAndAnUnregisteredOneIsExplained_AgainstLab() async throws {
        let lab = try IssueLab()
        let solver = try await WebhookSolverLab(lab)
        let namespace = try await lab.namespace()
        let refused = try await Subprocess.run("kubectl", ["certs", "issue", "-d", "\(IssueLab.label()).\(lab.zone)", "--secret", "no-tls", "-n", namespace, "--dns", "webhook"] + lab.acmeFlags,
                                               environment: environment(lab, solver, config: #"{"refuse":"the zone is frozen for a release"}"#))
        #expect(refused.status == 1, "\(refused.stderr)")
        #expect(refused.stderr.contains("webhook: presenting TXT"))
        #expect(refused.stderr.contains("the zone is frozen for a release"))

        var missing = environment(lab, solver, config: "{}")
        missing["WEBHOOK_GROUP_NAME"] = "\(uniqueLabel("absent")).lab.test"
        let unregistered = try await Subprocess.run("kubectl", ["certs", "issue", "-d", "\(IssueLab.label()).\(lab.zone)", "--secret", "no-tls", "-n", namespace, "--dns", "webhook"] + lab.acmeFlags, environment: missing)
        #expect(unregistered.status == 1)
        #expect(unregistered.stderr.contains("is the webhook's APIService for"), "\(unregistered.stderr)")
    }
}
