import CertCore
import DNS01
import Foundation
import Providers
import TestSupport
import Testing

/// The webhook adapter, built in this process with a cluster connection, against a webhook
/// solver aggregated by the API test server.
@Suite(.lab) struct WebhookTests {
    func provider(_ solver: WebhookSolverLab, client: KubernetesClient, namespace: String = "default") throws -> any DNSProvider {
        try ConfiguredProvider(code: "webhook", environment: ProviderEnvironment(
            local: ["WEBHOOK_GROUP_NAME": solver.group, "WEBHOOK_SOLVER_NAME": solver.name, "WEBHOOK_CONFIG": #"{"zone":"lab"}"#],
            cluster: .init(client: client, resourceNamespace: namespace))).provider
    }

    @Test func conformance_AgainstAggregatedWebhookSolver() async throws {
        let lab = try IssueLab()
        let solver = try await WebhookSolverLab(lab)
        let down = try await WebhookSolverLab(lab, backendDown: true)
        // The lab's reader may read Secrets in team-a only: calling a solver is refused for it.
        let reader = try KubernetesClient(options: KubeConfigOptions(kubeconfig: lab.kubeconfig, context: "lab-reader"))
        try await runProviderConformance(
            makeProvider: { try provider(solver, client: lab.client) },
            makeWrongProvider: { try provider(solver, client: reader) },
            makeUnreachableProvider: { try provider(down, client: lab.client) },
            zone: lab.zone,
            nameservers: [DNSServer(host: lab.primary), DNSServer(host: lab.secondary)],
            isClearCredentialError: { $0.hasPrefix("webhook: ") && $0.contains("cannot create resource \"lab-dns\"") && $0.contains("in zone \(lab.zone).") })
        #expect(try solver.payloads().count >= 8)
    }

    @Test func withoutAClusterItSaysWhatIsMissing() {
        let error = #expect(throws: ProviderError.self) {
            try ConfiguredProvider(code: "webhook", environment: ProviderEnvironment(local: ["WEBHOOK_SOLVER_NAME": "x", "WEBHOOK_CONFIG": "{not json"]))
        }
        let message = error?.message ?? ""
        #expect(message.contains("missing WEBHOOK_GROUP_NAME"))
        #expect(message.contains("WEBHOOK_CONFIG"))
        #expect(message.contains("no cluster is configured"))
    }
}
