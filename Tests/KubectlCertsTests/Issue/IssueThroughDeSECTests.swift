import CertCore
import Foundation
import TestSupport
import Testing

/// `kubectl certs issue` of a wildcard and its apex through the deSEC API stand-in
/// (lab/provider-apis/desec.py); cert-manager has no built-in deSEC solver.
@Suite(.lab) struct IssueThroughDeSECTests {
    @Test func aWildcardAndItsApexThroughDeSEC_AgainstLab() async throws {
        let lab = try IssueLab()
        let token = "ds-\(UUID().uuidString)"
        let api = try await ProviderAPILab("desec", credentials: ["token": token])
        let namespace = try await lab.namespace()
        let base = "\(IssueLab.label()).\(lab.zone)"
        var environment = lab.environment.filter { !$0.key.hasPrefix("RFC2136_") }.merging(api.trust) { $1 }
        environment["DESEC_BASE_URL"] = api.baseURL + "/api/v1"
        environment["DESEC_TOKEN"] = token
        let result = try await Subprocess.run("kubectl", ["certs", "issue", "-d", "*.\(base)", "-d", base, "--secret", "ds-tls", "-n", namespace, "--dns", "desec"] + lab.acmeFlags, environment: environment)
        #expect(result.status == 0, "\(result.stderr)")
        let secret = try await lab.secret("ds-tls", namespace)
        #expect(secret.annotations["kubectl-certs.io/dns-provider"] == "desec")
        #expect(try lab.verifyChain(secret))
        #expect(try LabDNS.txt("_acme-challenge.\(base)", at: lab.primary).isEmpty, "challenge records left behind")
        #expect(!result.stderr.contains(token) && !result.stdout.contains(token))
    }
}
