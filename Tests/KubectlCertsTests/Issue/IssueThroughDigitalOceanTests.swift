import CertCore
import Foundation
import TestSupport
import Testing

/// `kubectl certs issue` of a wildcard and its apex through the DigitalOcean API stand-in
/// (lab/provider-apis/digitalocean.py), from `--dns digitalocean` and from an Issuer's
/// `digitalocean` solver.
@Suite(.lab) struct IssueThroughDigitalOceanTests {
    @Test func aWildcardAndItsApexThroughDigitalOcean_AgainstLab() async throws {
        let lab = try IssueLab()
        let token = "do-\(UUID().uuidString)"
        let api = try await ProviderAPILab("digitalocean", credentials: ["token": token])
        let namespace = try await lab.namespace()
        let base = "\(IssueLab.label()).\(lab.zone)"
        var environment = lab.environment.filter { !$0.key.hasPrefix("RFC2136_") }.merging(api.trust) { $1 }
        environment["DO_BASE_URL"] = api.baseURL
        environment["DO_AUTH_TOKEN"] = token
        let result = try await Subprocess.run("kubectl", ["certs", "issue", "-d", "*.\(base)", "-d", base, "--secret", "do-tls", "-n", namespace, "--dns", "digitalocean"] + lab.acmeFlags, environment: environment)
        #expect(result.status == 0, "\(result.stderr)")
        let secret = try await lab.secret("do-tls", namespace)
        #expect(secret.annotations["kubectl-certs.io/dns-provider"] == "digitalocean")
        #expect(try lab.verifyChain(secret))
        #expect(try LabDNS.txt("_acme-challenge.\(base)", at: lab.primary).isEmpty, "challenge records left behind")
        #expect(!result.stderr.contains(token) && !result.stdout.contains(token))
    }

    @Test func anIssuerWithADigitalOceanSolverIssuesThroughCertificate_AgainstLab() async throws {
        let lab = try IssueLab()
        let token = "do-\(UUID().uuidString)"
        let api = try await ProviderAPILab("digitalocean", credentials: ["token": token])
        let namespace = try await lab.namespace()
        let base = "\(IssueLab.label()).\(lab.zone)"
        var tokenSecret = Secret(name: "digitalocean-token", namespace: namespace)
        tokenSecret.data = ["access-token": Data(token.utf8)]
        _ = try await lab.client.create(tokenSecret.object)
        let issuer: JSONValue = [
            "apiVersion": "cert-manager.io/v1", "kind": "Issuer",
            "metadata": ["name": "do", "namespace": .string(namespace)],
            "spec": ["acme": [
                "server": .string(lab.pebble), "email": "certs@example.test",
                "privateKeySecretRef": ["name": "do-account"],
                "solvers": [["dns01": ["digitalocean": ["tokenSecretRef": ["name": "digitalocean-token", "key": "access-token"]]]]],
            ]],
        ]
        _ = try await lab.client.create(KubernetesObject(json: issuer))
        let certificate: JSONValue = [
            "apiVersion": "cert-manager.io/v1", "kind": "Certificate",
            "metadata": ["name": "web", "namespace": .string(namespace)],
            "spec": ["secretName": "web-tls", "dnsNames": [.string("*.\(base)"), .string(base)], "issuerRef": ["name": "do", "kind": "Issuer"]],
        ]
        _ = try await lab.client.create(KubernetesObject(json: certificate))
        // The base URL and trust are the stand-in's; the token comes from the Issuer alone.
        var environment = lab.environment.filter { !$0.key.hasPrefix("RFC2136_") }.merging(api.trust) { $1 }
        environment["DO_BASE_URL"] = api.baseURL
        let result = try await Subprocess.run("kubectl", ["certs", "issue", "certificate/web", "-n", namespace] + lab.acmeFlags, environment: environment)
        #expect(result.status == 0, "\(result.stderr)")
        let secret = try await lab.secret("web-tls", namespace)
        #expect(secret.annotations["kubectl-certs.io/dns-provider"] == "digitalocean")
        #expect(try lab.verifyChain(secret))
        #expect(try LabDNS.txt("_acme-challenge.\(base)", at: lab.primary).isEmpty)
        #expect(!result.stderr.contains(token))
    }
}
