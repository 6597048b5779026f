import CertCore
import Foundation
import TestSupport
import Testing

/// `kubectl certs issue` of a wildcard and its apex through the Hetzner DNS API stand-in
/// (lab/provider-apis/hetzner.py), through each of its two APIs; cert-manager has no built-in
/// Hetzner solver.
@Suite(.lab) struct IssueThroughHetznerTests {
    @Test func aWildcardAndItsApexThroughHetzner_AgainstLab() async throws {
        let lab = try IssueLab()
        let token = "hz-\(UUID().uuidString)"
        let api = try await ProviderAPILab("hetzner", credentials: ["token": token])
        let namespace = try await lab.namespace()
        let base = "\(IssueLab.label()).\(lab.zone)"
        var environment = lab.environment.filter { !$0.key.hasPrefix("RFC2136_") }.merging(api.trust) { $1 }
        environment["HETZNER_BASE_URL"] = api.baseURL + "/api/v1"
        environment["HETZNER_API_KEY"] = token
        let result = try await Subprocess.run("kubectl", ["certs", "issue", "-d", "*.\(base)", "-d", base, "--secret", "hz-tls", "-n", namespace, "--dns", "hetzner"] + lab.acmeFlags, environment: environment)
        #expect(result.status == 0, "\(result.stderr)")
        let secret = try await lab.secret("hz-tls", namespace)
        #expect(secret.annotations["kubectl-certs.io/dns-provider"] == "hetzner")
        #expect(try lab.verifyChain(secret))
        #expect(try LabDNS.txt("_acme-challenge.\(base)", at: lab.primary).isEmpty, "challenge records left behind")
        #expect(!result.stderr.contains(token) && !result.stdout.contains(token))
    }

    @Test func aWildcardAndItsApexThroughTheHetznerCloudAPI_AgainstLab() async throws {
        let lab = try IssueLab()
        let token = "hc-\(UUID().uuidString)"
        let api = try await ProviderAPILab("hetzner", credentials: ["cloud_token": token])
        let namespace = try await lab.namespace()
        let base = "\(IssueLab.label()).\(lab.zone)"
        var environment = lab.environment.filter { !$0.key.hasPrefix("RFC2136_") }.merging(api.trust) { $1 }
        environment["HETZNER_BASE_URL"] = api.baseURL + "/v1"
        environment["HETZNER_API_TOKEN"] = token
        let result = try await Subprocess.run("kubectl", ["certs", "issue", "-d", "*.\(base)", "-d", base, "--secret", "hc-tls", "-n", namespace, "--dns", "hetzner"] + lab.acmeFlags, environment: environment)
        #expect(result.status == 0, "\(result.stderr)")
        let secret = try await lab.secret("hc-tls", namespace)
        #expect(try lab.verifyChain(secret))
        #expect(try LabDNS.txt("_acme-challenge.\(base)", at: lab.primary).isEmpty, "challenge records left behind")
        #expect(!result.stderr.contains(token) && !result.stdout.contains(token))
    }
}
