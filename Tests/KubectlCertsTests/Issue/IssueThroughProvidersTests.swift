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
