import CertCore
import Foundation
import TestSupport
import Testing

/// `providers check` takes the same flags as `dns check` and honours them.
@Suite(.lab) struct ProvidersCheckOptionsTests {
    @Test func credentialsComeFromTheSecretInTheNamespaceAndContextGiven_AgainstLabAndKube() async throws {
        let kubeconfig = try Lab.require("LAB_KUBECONFIG", component: "kube")
        let client = try KubernetesClient(options: KubeConfigOptions(kubeconfig: kubeconfig, context: "lab-admin"))
        let namespace = uniqueLabel("pc")
        _ = try await client.create(KubernetesObject(.namespaces, name: namespace))
        var credentials = Secret(name: "rfc2136-credentials", namespace: namespace)
        credentials.data = [
            "RFC2136_NAMESERVER": Data(try Lab.require("LAB_DNS_PRIMARY", component: "dns").utf8),
            "RFC2136_TSIG_KEY": Data(try Lab.require("LAB_TSIG_KEY", component: "dns").utf8),
            "RFC2136_TSIG_SECRET": Data(try Lab.require("LAB_TSIG_SECRET", component: "dns").utf8),
        ]
        _ = try await client.create(credentials.object)
        let binary = Subprocess.buildDirectory.appendingPathComponent("kubectl-certs").path
        let resolver = try Lab.require("LAB_DNS_RESOLVER", component: "dns")
        func check(context: String) async throws -> Subprocess.Result {
            let name = "\(uniqueLabel("pco")).example.test"
            return try await Subprocess.run(binary, ["providers", "check", "rfc2136", "-d", name, "--dns-resolver", resolver,
                                                     "--dns-credentials", "secret/rfc2136-credentials", "-n", namespace,
                                                     "--kubeconfig", kubeconfig, "--context", context], environment: ["NO_COLOR": "1"])
        }
        let admin = try await check(context: "lab-admin")
        #expect(admin.status == 0, "\(admin.stderr)")
        #expect(admin.stdout.contains("the probe record was removed"))
        // The reader may read Secrets in team-a only: with its context the Secret is refused.
        let reader = try await check(context: "lab-reader")
        #expect(reader.status == 4, "\(reader.stderr)")
    }
}
