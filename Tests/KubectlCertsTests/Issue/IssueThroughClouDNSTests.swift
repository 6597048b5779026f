import CertCore
import Foundation
import TestSupport
import Testing

/// `issue --dns cloudns` end to end: Pebble validates a wildcard and its apex, whose two values
/// share one name, as two records, through the ClouDNS API stand-in.
@Suite(.lab) struct IssueThroughClouDNSTests {
    @Test func aWildcardAndItsApexThroughClouDNS_AgainstLab() async throws {
        let lab = try IssueLab()
        let authID = "\(Int.random(in: 10000...99999))", password = "cloudns-\(UUID().uuidString)"
        let api = try await ProviderAPILab("cloudns", credentials: ["auth_id": authID, "password": password])
        let namespace = try await lab.namespace()
        let base = "\(IssueLab.label()).\(lab.zone)"
        var environment = lab.environment.filter { !$0.key.hasPrefix("RFC2136_") }.merging(api.trust) { $1 }
        environment["CLOUDNS_BASE_URL"] = api.baseURL + "/dns"
        environment["CLOUDNS_AUTH_ID"] = authID
        environment["CLOUDNS_AUTH_PASSWORD"] = password
        // -vv: the API calls are logged, and the password (a form parameter) must not be.
        let result = try await Subprocess.run("kubectl", ["certs", "issue", "-vv", "-d", "*.\(base)", "-d", base, "--secret", "cloudns-tls", "-n", namespace, "--dns", "cloudns"] + lab.acmeFlags, environment: environment)
        #expect(result.status == 0, "\(result.stderr)")
        let secretObject = try await lab.secret("cloudns-tls", namespace)
        #expect(secretObject.annotations["kubectl-certs.io/dns-provider"] == "cloudns")
        #expect(try lab.verifyChain(secretObject))
        #expect(try LabDNS.txt("_acme-challenge.\(base)", at: lab.primary).isEmpty, "challenge records left behind")
        #expect(result.stderr.contains("add-record.json"), "-vv did not log the API calls")
        #expect(!result.stderr.contains(password) && !result.stdout.contains(password) && !result.stderr.contains("auth-password"))
    }
}
