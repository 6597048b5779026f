import CertCore
import Foundation
import TestSupport
import Testing

/// `kubectl certs issue` of a wildcard and its apex through each DNS provider that has a real
/// server on the lab, through the real kubectl, Pebble and the propagation checker.
@Suite struct IssueThroughProvidersTests {
    @Test func aWildcardAndItsApexThroughPowerDNS_AgainstLab() async throws {
        let lab = try IssueLab()
        let namespace = try await lab.namespace()
        let zone = try Lab.require("LAB_PDNS_ZONE", component: "pdns")
        let address = try Lab.require("LAB_PDNS_ADDRESS", component: "pdns")
        let key = try Lab.require("LAB_PDNS_API_KEY", component: "pdns")
        let base = "\(IssueLab.label()).\(zone)"
        var environment = lab.environment.filter { !$0.key.hasPrefix("RFC2136_") }
        environment["PDNS_API_URL"] = try Lab.require("LAB_PDNS_API_URL", component: "pdns")
        environment["PDNS_API_KEY"] = key
        let result = try await Subprocess.run("kubectl", ["certs", "issue", "-d", "*.\(base)", "-d", base, "--secret", "pdns-tls", "-n", namespace, "--dns", "pdns", "-vv"] + lab.acmeFlags, environment: environment)
        #expect(result.status == 0, "\(result.stderr)")
        let secret = try await lab.secret("pdns-tls", namespace)
        #expect(secret.annotations["kubectl-certs.io/dns-provider"] == "pdns")
        let leaf = try #require(try Certificate.parseChain(pem: String(decoding: secret.data["tls.crt"] ?? Data(), as: UTF8.self)).first)
        #expect(Set(leaf.dnsNames) == ["*.\(base)", base])
        #expect(try lab.verifyChain(secret))
        // No TXT left behind, and the API key never shown, even at -vv where every API call is logged.
        #expect(try LabDNS.txt("_acme-challenge.\(base)", at: address).isEmpty, "challenge records left behind")
        #expect(result.stderr.contains("pdns: PATCH"), "the API calls are not logged at -vv")
        // Each step's time, as -v shows it.
        for step in ["order", "DNS-01 (publish, propagation, validation, cleanup)", "finalize and download", "Secret write"] {
            #expect(result.stderr.contains("\(namespace)/pdns-tls: \(step) took "), "no timing for \(step)")
        }
        #expect(result.stderr.contains("\(namespace)/pdns-tls: done in "))
        #expect(!result.stderr.contains(key) && !result.stdout.contains(key))
    }
}

/// The same through the stand-ins of hosted providers' APIs (lab/provider-apis), which publish
/// into the lab's BIND primary, and through a cert-manager Issuer using each built-in mapping.
@Suite struct IssueThroughHostedProvidersTests {
    @Test func aWildcardAndItsApexThroughCloudflare_AgainstLab() async throws {
        let lab = try IssueLab()
        let token = "cf-\(UUID().uuidString)"
        let api = try ProviderAPILab("cloudflare", credentials: ["token": token])
        let namespace = try await lab.namespace()
        let base = "\(IssueLab.label()).\(lab.zone)"
        var environment = lab.environment.filter { !$0.key.hasPrefix("RFC2136_") }.merging(api.trust) { $1 }
        environment["CLOUDFLARE_BASE_URL"] = api.baseURL + "/client/v4"
        environment["CLOUDFLARE_DNS_API_TOKEN"] = token
        let result = try await Subprocess.run("kubectl", ["certs", "issue", "-d", "*.\(base)", "-d", base, "--secret", "cf-tls", "-n", namespace, "--dns", "cloudflare"] + lab.acmeFlags, environment: environment)
        #expect(result.status == 0, "\(result.stderr)")
        let secret = try await lab.secret("cf-tls", namespace)
        #expect(secret.annotations["kubectl-certs.io/dns-provider"] == "cloudflare")
        #expect(try lab.verifyChain(secret))
        #expect(try LabDNS.txt("_acme-challenge.\(base)", at: lab.primary).isEmpty, "challenge records left behind")
        #expect(!result.stderr.contains(token) && !result.stdout.contains(token))
    }

    @Test func anIssuerWithACloudflareSolverIssuesThroughCertificate_AgainstLab() async throws {
        let lab = try IssueLab()
        let token = "cf-\(UUID().uuidString)"
        let api = try ProviderAPILab("cloudflare", credentials: ["token": token])
        let namespace = try await lab.namespace()
        let base = "\(IssueLab.label()).\(lab.zone)"
        var tokenSecret = Secret(name: "cloudflare-token", namespace: namespace)
        tokenSecret.data = ["api-token": Data(token.utf8)]
        _ = try await lab.client.create(tokenSecret.object)
        let issuer: JSONValue = [
            "apiVersion": "cert-manager.io/v1", "kind": "Issuer",
            "metadata": ["name": "cf", "namespace": .string(namespace)],
            "spec": ["acme": [
                "server": .string(lab.pebble), "email": "certs@example.test",
                "privateKeySecretRef": ["name": "cf-account"],
                "solvers": [["dns01": ["cloudflare": ["apiTokenSecretRef": ["name": "cloudflare-token", "key": "api-token"]]]]],
            ]],
        ]
        _ = try await lab.client.create(KubernetesObject(json: issuer))
        let certificate: JSONValue = [
            "apiVersion": "cert-manager.io/v1", "kind": "Certificate",
            "metadata": ["name": "web", "namespace": .string(namespace)],
            "spec": ["secretName": "web-tls", "dnsNames": [.string("*.\(base)"), .string(base)], "issuerRef": ["name": "cf", "kind": "Issuer"]],
        ]
        _ = try await lab.client.create(KubernetesObject(json: certificate))
        // The base URL and trust are the stand-in's; the credentials come from the Issuer alone.
        var environment = lab.environment.filter { !$0.key.hasPrefix("RFC2136_") }.merging(api.trust) { $1 }
        environment["CLOUDFLARE_BASE_URL"] = api.baseURL + "/client/v4"
        let result = try await Subprocess.run("kubectl", ["certs", "issue", "certificate/web", "-n", namespace] + lab.acmeFlags, environment: environment)
        #expect(result.status == 0, "\(result.stderr)")
        let secret = try await lab.secret("web-tls", namespace)
        #expect(try lab.verifyChain(secret))
        #expect(try LabDNS.txt("_acme-challenge.\(base)", at: lab.primary).isEmpty)
        #expect(!result.stderr.contains(token))
    }
}
