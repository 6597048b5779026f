import CertCore
import Foundation
import TestSupport
import Testing

/// `issue --dns dnsimple` end to end: Pebble validates a wildcard and its apex, whose two values
/// share one name, as two records, through the DNSimple API stand-in.
@Suite(.lab) struct IssueThroughDNSimpleTests {
    @Test func aWildcardAndItsApexThroughDNSimple_AgainstLab() async throws {
        let lab = try IssueLab()
        let token = "dnsimple-\(UUID().uuidString)"
        let api = try await ProviderAPILab("dnsimple", credentials: ["token": token])
        let namespace = try await lab.namespace()
        let base = "\(IssueLab.label()).\(lab.zone)"
        var environment = lab.environment.filter { !$0.key.hasPrefix("RFC2136_") }.merging(api.trust) { $1 }
        environment["DNSIMPLE_BASE_URL"] = api.baseURL
        environment["DNSIMPLE_OAUTH_TOKEN"] = token
        let result = try await Subprocess.run("kubectl", ["certs", "issue", "-d", "*.\(base)", "-d", base, "--secret", "dnsimple-tls", "-n", namespace, "--dns", "dnsimple"] + lab.acmeFlags, environment: environment)
        #expect(result.status == 0, "\(result.stderr)")
        let secretObject = try await lab.secret("dnsimple-tls", namespace)
        #expect(secretObject.annotations["kubectl-certs.io/dns-provider"] == "dnsimple")
        #expect(try lab.verifyChain(secretObject))
        #expect(try LabDNS.txt("_acme-challenge.\(base)", at: lab.primary).isEmpty, "challenge records left behind")
        #expect(!result.stderr.contains(token) && !result.stdout.contains(token))
    }
}
