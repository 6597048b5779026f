import CertCore
import Foundation
import TestSupport
import Testing

/// A Secret another tool manages (here Helm) keeps its `app.kubernetes.io/managed-by` label
/// when kubectl-certs adopts it; kubectl-certs marks it as its own with its own annotation,
/// and `issue` and `status` both recognise that mark.
@Suite(.lab) struct HelmManagedSecretTests {
    @Test func anAdoptedHelmSecretKeepsItsManagedByLabel_AgainstLab() async throws {
        let lab = try IssueLab()
        let namespace = try await lab.namespace()
        var helm = Secret(name: "chart-tls", namespace: namespace)
        helm.type = Secret.tlsType
        helm.data = ["tls.crt": Data("placeholder".utf8), "tls.key": Data("placeholder".utf8)]
        helm.labels = ["app.kubernetes.io/managed-by": "Helm", "app.kubernetes.io/instance": "shop"]
        helm.annotations = ["meta.helm.sh/release-name": "shop"]
        _ = try await lab.client.create(helm.object)
        let name = "helm-\(IssueLab.label()).\(lab.zone)"

        let refused = try await lab.issue(["-d", name, "--secret", "chart-tls", "-n", namespace, "--dns", "rfc2136"])
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("--adopt"))

        let adopted = try await lab.issue(["-d", name, "--secret", "chart-tls", "-n", namespace, "--dns", "rfc2136", "--adopt"])
        #expect(adopted.status == 0, "\(adopted.stderr)")
        let secret = try await lab.secret("chart-tls", namespace)
        #expect(secret.labels["app.kubernetes.io/managed-by"] == "Helm")
        #expect(secret.labels["app.kubernetes.io/instance"] == "shop")
        #expect(secret.annotations["meta.helm.sh/release-name"] == "shop")
        #expect(secret.annotations["kubectl-certs.io/managed"] == "true")

        // Now kubectl-certs manages it: a second issue needs no --adopt.
        let again = try await lab.issue(["-d", name, "--secret", "chart-tls", "-n", namespace, "--dns", "rfc2136"])
        #expect(again.status == 0, "\(again.stderr)")
        #expect(try await lab.secret("chart-tls", namespace).labels["app.kubernetes.io/managed-by"] == "Helm")

        let status = try await Subprocess.run("kubectl", ["certs", "status", "secret/chart-tls", "-n", namespace, "-o", "json"], environment: lab.environment)
        #expect(status.status == 0, "\(status.stderr)")
        #expect(status.stdout.contains("\"manager\" : \"kubectl-certs\""), "\(status.stdout)")
    }

    @Test func aNewSecretCarriesTheLabelAndTheMark_AgainstLab() async throws {
        let lab = try IssueLab()
        let namespace = try await lab.namespace()
        let name = "fresh-\(IssueLab.label()).\(lab.zone)"
        let result = try await lab.issue(["-d", name, "--secret", "fresh-tls", "-n", namespace, "--dns", "rfc2136"])
        #expect(result.status == 0, "\(result.stderr)")
        let secret = try await lab.secret("fresh-tls", namespace)
        #expect(secret.labels["app.kubernetes.io/managed-by"] == "kubectl-certs")
        #expect(secret.annotations["kubectl-certs.io/managed"] == "true")
    }
}
