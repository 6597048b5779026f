@testable import CertCore
@testable import kubectl_certs
import Foundation
import TestSupport
import Testing

/// `--request-timeout` as kubectl has it: absent means the default bound, `0` means none.
@Suite(.lab) struct RequestTimeoutTests {
    let binary = Subprocess.buildDirectory.appendingPathComponent("kubectl-certs").path

    func client(_ arguments: [String]) throws -> KubernetesClient {
        let kubeconfig = try Lab.require("LAB_KUBECONFIG", component: "kube")
        return try CommandContext(GlobalOptions.parse(["--kubeconfig", kubeconfig, "--context", "lab-admin"] + arguments)).kubernetesClient()
    }

    @Test func withoutTheFlagRequestsAreBounded() throws {
        #expect(try client([]).requestTimeout == KubernetesClient.defaultRequestTimeout)
        #expect(try client(["--request-timeout", "0"]).requestTimeout == nil)
        #expect(try client(["--request-timeout", "2m"]).requestTimeout == .seconds(120))
    }

    @Test func aStalledAPIServerEndsTheCommandWithATimeout_AgainstKubeTestServer() async throws {
        let kubeconfig = try Lab.require("LAB_KUBECONFIG", component: "kube")
        let admin = try KubernetesClient(options: KubeConfigOptions(kubeconfig: kubeconfig, context: "lab-admin"))
        let namespace = "rt-\(UInt32.random(in: .min ... .max))"
        _ = try await admin.create(KubernetesObject(.namespaces, name: namespace))
        _ = try await admin.request("POST", "/_test/faults", body: ["delayMs": 20_000, "count": 1, "path": .string("/namespaces/\(namespace)/")])
        let result = try await Subprocess.run(binary, ["status", "-n", namespace, "--request-timeout", "1s"], environment: ["KUBECONFIG": kubeconfig])
        #expect(result.status == 1, "\(result.stderr)")
        #expect(result.stderr.contains("did not answer"))
        #expect(result.stderr.contains("within 1s"))
    }
}
