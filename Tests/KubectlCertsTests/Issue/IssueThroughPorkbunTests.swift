import CertCore
import Foundation
import TestSupport
import Testing

/// `issue --dns porkbun` end to end: Pebble validates a wildcard and its apex, two TXT records
/// at one name, through the Porkbun API stand-in.
@Suite(.lab) struct IssueThroughPorkbunTests {
    @Test func aWildcardAndItsApexThroughPorkbun_AgainstLab() async throws {
        let lab = try IssueLab()
        let key = "pk1_\(UUID().uuidString)", secret = "sk1_\(UUID().uuidString)"
        let api = try await ProviderAPILab("porkbun", credentials: ["apikey": key, "secret": secret])
        let namespace = try await lab.namespace()
        let base = "\(IssueLab.label()).\(lab.zone)"
        var environment = lab.environment.filter { !$0.key.hasPrefix("RFC2136_") }.merging(api.trust) { $1 }
        environment["PORKBUN_BASE_URL"] = api.baseURL + "/api/json/v3"
        environment["PORKBUN_API_KEY"] = key
        environment["PORKBUN_SECRET_API_KEY"] = secret
        let result = try await Subprocess.run("kubectl", ["certs", "issue", "-d", "*.\(base)", "-d", base, "--secret", "pb-tls", "-n", namespace, "--dns", "porkbun"] + lab.acmeFlags, environment: environment)
        #expect(result.status == 0, "\(result.stderr)")
        let secretObject = try await lab.secret("pb-tls", namespace)
        #expect(secretObject.annotations["kubectl-certs.io/dns-provider"] == "porkbun")
        #expect(try lab.verifyChain(secretObject))
        #expect(try LabDNS.txt("_acme-challenge.\(base)", at: lab.primary).isEmpty, "challenge records left behind")
        #expect(!result.stderr.contains(secret) && !result.stdout.contains(secret) && !result.stderr.contains(key))
    }
}
