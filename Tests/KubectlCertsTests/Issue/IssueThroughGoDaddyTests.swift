import CertCore
import Foundation
import TestSupport
import Testing

/// `issue --dns godaddy` end to end: Pebble validates a wildcard and its apex, whose two values
/// share one name and so one GoDaddy record set, through the GoDaddy API stand-in.
@Suite(.lab) struct IssueThroughGoDaddyTests {
    @Test func aWildcardAndItsApexThroughGoDaddy_AgainstLab() async throws {
        let lab = try IssueLab()
        let key = "gdk-\(UUID().uuidString)", secret = "gds-\(UUID().uuidString)"
        let api = try await ProviderAPILab("godaddy", credentials: ["key": key, "secret": secret])
        let namespace = try await lab.namespace()
        let base = "\(IssueLab.label()).\(lab.zone)"
        var environment = lab.environment.filter { !$0.key.hasPrefix("RFC2136_") }.merging(api.trust) { $1 }
        environment["GODADDY_BASE_URL"] = api.baseURL
        environment["GODADDY_API_KEY"] = key
        environment["GODADDY_API_SECRET"] = secret
        let result = try await Subprocess.run("kubectl", ["certs", "issue", "-d", "*.\(base)", "-d", base, "--secret", "gd-tls", "-n", namespace, "--dns", "godaddy"] + lab.acmeFlags, environment: environment)
        #expect(result.status == 0, "\(result.stderr)")
        let secretObject = try await lab.secret("gd-tls", namespace)
        #expect(secretObject.annotations["kubectl-certs.io/dns-provider"] == "godaddy")
        #expect(try lab.verifyChain(secretObject))
        #expect(try LabDNS.txt("_acme-challenge.\(base)", at: lab.primary).isEmpty, "challenge records left behind")
        #expect(!result.stderr.contains(secret) && !result.stdout.contains(secret) && !result.stderr.contains(key))
    }
}
