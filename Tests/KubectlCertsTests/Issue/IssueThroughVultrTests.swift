import CertCore
import Foundation
import TestSupport
import Testing

/// `kubectl certs issue` of a wildcard and its apex through the Vultr API v2 stand-in
/// (lab/provider-apis/vultr.py); cert-manager has no built-in Vultr solver.
@Suite(.lab) struct IssueThroughVultrTests {
    @Test func aWildcardAndItsApexThroughVultr_AgainstLab() async throws {
        let lab = try IssueLab()
        let token = "vu-\(UUID().uuidString)"
        let api = try await ProviderAPILab("vultr", credentials: ["token": token])
        let namespace = try await lab.namespace()
        let base = "\(IssueLab.label()).\(lab.zone)"
        var environment = lab.environment.filter { !$0.key.hasPrefix("RFC2136_") }.merging(api.trust) { $1 }
        environment["VULTR_BASE_URL"] = api.baseURL + "/v2"
        environment["VULTR_API_KEY"] = token
        let result = try await Subprocess.run("kubectl", ["certs", "issue", "-d", "*.\(base)", "-d", base, "--secret", "vu-tls", "-n", namespace, "--dns", "vultr"] + lab.acmeFlags, environment: environment)
        #expect(result.status == 0, "\(result.stderr)")
        let secret = try await lab.secret("vu-tls", namespace)
        #expect(secret.annotations["kubectl-certs.io/dns-provider"] == "vultr")
        #expect(try lab.verifyChain(secret))
        #expect(try LabDNS.txt("_acme-challenge.\(base)", at: lab.primary).isEmpty, "challenge records left behind")
        #expect(!result.stderr.contains(token) && !result.stdout.contains(token))
    }
}
