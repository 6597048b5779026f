import CertCore
import Foundation
import TestSupport
import Testing

/// `issue --dns ovh` end to end: Pebble validates a wildcard and its apex, whose two values
/// share one name, as two records, through the OVH API stand-in.
@Suite(.lab) struct IssueThroughOVHTests {
    @Test func aWildcardAndItsApexThroughOVH_AgainstLab() async throws {
        let lab = try IssueLab()
        let key = "ak-\(UUID().uuidString.prefix(16))", secret = "as-\(UUID().uuidString)", consumer = "ck-\(UUID().uuidString)"
        // OVH's clock (the stand-in's) runs ten minutes ahead of this machine's.
        let api = try await ProviderAPILab("ovh", credentials: ["application_key": key, "application_secret": secret, "consumer_key": consumer, "clock_skew": "600"])
        let namespace = try await lab.namespace()
        let base = "\(IssueLab.label()).\(lab.zone)"
        var environment = lab.environment.filter { !$0.key.hasPrefix("RFC2136_") }.merging(api.trust) { $1 }
        environment["OVH_ENDPOINT"] = api.baseURL + "/1.0"
        environment["OVH_APPLICATION_KEY"] = key
        environment["OVH_APPLICATION_SECRET"] = secret
        environment["OVH_CONSUMER_KEY"] = consumer
        let result = try await Subprocess.run("kubectl", ["certs", "issue", "-d", "*.\(base)", "-d", base, "--secret", "ovh-tls", "-n", namespace, "--dns", "ovh"] + lab.acmeFlags, environment: environment)
        #expect(result.status == 0, "\(result.stderr)")
        let secretObject = try await lab.secret("ovh-tls", namespace)
        #expect(secretObject.annotations["kubectl-certs.io/dns-provider"] == "ovh")
        #expect(try lab.verifyChain(secretObject))
        #expect(try LabDNS.txt("_acme-challenge.\(base)", at: lab.primary).isEmpty, "challenge records left behind")
        #expect(!result.stderr.contains(secret) && !result.stdout.contains(secret) && !result.stderr.contains(consumer))
    }
}
