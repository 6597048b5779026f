import CertCore
import Foundation
import TestSupport
import Testing

/// `issue --dns gandiv5` end to end: Pebble validates a wildcard and its apex, whose two values
/// share one name and so one LiveDNS record set, through the Gandi LiveDNS stand-in.
@Suite(.lab) struct IssueThroughGandiV5Tests {
    @Test func aWildcardAndItsApexThroughGandiV5_AgainstLab() async throws {
        let lab = try IssueLab()
        let token = "pat-\(UUID().uuidString)"
        let api = try await ProviderAPILab("gandiv5", credentials: ["token": token])
        let namespace = try await lab.namespace()
        let base = "\(IssueLab.label()).\(lab.zone)"
        var environment = lab.environment.filter { !$0.key.hasPrefix("RFC2136_") }.merging(api.trust) { $1 }
        environment["GANDIV5_BASE_URL"] = api.baseURL + "/api/v5"
        environment["GANDIV5_PERSONAL_ACCESS_TOKEN"] = token
        let result = try await Subprocess.run("kubectl", ["certs", "issue", "-d", "*.\(base)", "-d", base, "--secret", "gandi-tls", "-n", namespace, "--dns", "gandiv5"] + lab.acmeFlags, environment: environment)
        #expect(result.status == 0, "\(result.stderr)")
        let secretObject = try await lab.secret("gandi-tls", namespace)
        #expect(secretObject.annotations["kubectl-certs.io/dns-provider"] == "gandiv5")
        #expect(try lab.verifyChain(secretObject))
        #expect(try LabDNS.txt("_acme-challenge.\(base)", at: lab.primary).isEmpty, "challenge records left behind")
        #expect(!result.stderr.contains(token) && !result.stdout.contains(token))
    }
}
