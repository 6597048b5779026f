import CertCore
import Foundation
import TestSupport
import Testing

/// Issuance through the gcloud adapter against the Cloud DNS stand-in (which publishes into the
/// lab's BIND, so Pebble and both nameservers see the records).
@Suite(.lab) struct IssueThroughGCloudTests {
    @Test func aWildcardAndItsApexThroughGCloud_AgainstLab() async throws {
        let lab = try IssueLab()
        let account = try GoogleTestAccount()
        let api = try await ProviderAPILab("gcloud", credentials: account.credentials)
        let namespace = try await lab.namespace()
        let base = "\(IssueLab.label()).\(lab.zone)"
        let scratch = try ScratchDirectory()
        var environment = lab.environment.filter { !$0.key.hasPrefix("RFC2136_") }.merging(api.trust) { $1 }
        environment["GCE_BASE_URL"] = api.baseURL + "/dns/v1"
        environment["GCE_SERVICE_ACCOUNT_FILE"] = try scratch.write("key.json", account.json(tokenURI: api.baseURL + "/token"))
        let result = try await Subprocess.run("kubectl", ["certs", "issue", "-d", "*.\(base)", "-d", base, "--secret", "gc-tls", "-n", namespace, "--dns", "gcloud"] + lab.acmeFlags, environment: environment)
        #expect(result.status == 0, "\(result.stderr)")
        let secret = try await lab.secret("gc-tls", namespace)
        #expect(secret.annotations["kubectl-certs.io/dns-provider"] == "gcloud")
        #expect(try lab.verifyChain(secret))
        #expect(try LabDNS.txt("_acme-challenge.\(base)", at: lab.primary).isEmpty, "challenge records left behind")
        #expect(!result.stderr.contains("PRIVATE KEY") && !result.stdout.contains("PRIVATE KEY"))
    }

    @Test func anIssuerWithACloudDNSSolverIssuesThroughCertificate_AgainstLab() async throws {
        let lab = try IssueLab()
        let account = try GoogleTestAccount()
        let api = try await ProviderAPILab("gcloud", credentials: account.credentials)
        let namespace = try await lab.namespace()
        let base = "\(IssueLab.label()).\(lab.zone)"
        var keySecret = Secret(name: "clouddns-key", namespace: namespace)
        keySecret.data = ["key.json": Data(account.json(tokenURI: api.baseURL + "/token").utf8)]
        _ = try await lab.client.create(keySecret.object)
        let issuer: JSONValue = [
            "apiVersion": "cert-manager.io/v1", "kind": "Issuer",
            "metadata": ["name": "gc", "namespace": .string(namespace)],
            "spec": ["acme": [
                "server": .string(lab.pebble), "email": "certs@example.test",
                "privateKeySecretRef": ["name": "gc-account"],
                "solvers": [["dns01": ["clouddns": ["project": .string(account.project), "serviceAccountSecretRef": ["name": "clouddns-key", "key": "key.json"]]]]],
            ]],
        ]
        _ = try await lab.client.create(KubernetesObject(json: issuer))
        let certificate: JSONValue = [
            "apiVersion": "cert-manager.io/v1", "kind": "Certificate",
            "metadata": ["name": "web", "namespace": .string(namespace)],
            "spec": ["secretName": "web-tls", "dnsNames": [.string("*.\(base)"), .string(base)], "issuerRef": ["name": "gc", "kind": "Issuer"]],
        ]
        _ = try await lab.client.create(KubernetesObject(json: certificate))
        // The base URL and trust are the stand-in's; the key comes from the Issuer's Secret alone.
        var environment = lab.environment.filter { !$0.key.hasPrefix("RFC2136_") }.merging(api.trust) { $1 }
        environment["GCE_BASE_URL"] = api.baseURL + "/dns/v1"
        let result = try await Subprocess.run("kubectl", ["certs", "issue", "certificate/web", "-n", namespace] + lab.acmeFlags, environment: environment)
        #expect(result.status == 0, "\(result.stderr)")
        let secret = try await lab.secret("web-tls", namespace)
        #expect(try lab.verifyChain(secret))
        #expect(try LabDNS.txt("_acme-challenge.\(base)", at: lab.primary).isEmpty)
        #expect(!result.stderr.contains("PRIVATE KEY"))
        let tokenRequests = try await api.requests().filter { $0["path"] as? String == "/token" }
        #expect(!tokenRequests.isEmpty, "the Issuer's key was not used")
    }
}
