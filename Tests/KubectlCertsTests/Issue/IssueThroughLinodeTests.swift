import CertCore
import Foundation
import TestSupport
import Testing

/// `kubectl certs issue` of a wildcard and its apex through the Linode API v4 stand-in
/// (lab/provider-apis/linode.py); cert-manager has no built-in Linode solver.
@Suite(.lab) struct IssueThroughLinodeTests {
    @Test func aWildcardAndItsApexThroughLinode_AgainstLab() async throws {
        let lab = try IssueLab()
        let token = "ln-\(UUID().uuidString)"
        let api = try await ProviderAPILab("linode", credentials: ["token": token])
        let namespace = try await lab.namespace()
        let base = "\(IssueLab.label()).\(lab.zone)"
        var environment = lab.environment.filter { !$0.key.hasPrefix("RFC2136_") }.merging(api.trust) { $1 }
        environment["LINODE_BASE_URL"] = api.baseURL + "/v4"
        environment["LINODE_TOKEN"] = token
        let result = try await Subprocess.run("kubectl", ["certs", "issue", "-d", "*.\(base)", "-d", base, "--secret", "ln-tls", "-n", namespace, "--dns", "linode"] + lab.acmeFlags, environment: environment)
        #expect(result.status == 0, "\(result.stderr)")
        let secret = try await lab.secret("ln-tls", namespace)
        #expect(secret.annotations["kubectl-certs.io/dns-provider"] == "linode")
        #expect(try lab.verifyChain(secret))
        #expect(try LabDNS.txt("_acme-challenge.\(base)", at: lab.primary).isEmpty, "challenge records left behind")
        #expect(!result.stderr.contains(token) && !result.stdout.contains(token))
    }
}
