import CertCore
import Foundation
import TestSupport
import Testing

/// The secrets the fault scenarios do not use — an external account binding's HMAC key, a DNS
/// provider's API key — stay out of everything a -vvv run prints or writes, and out of the
/// annotations it leaves on the Secrets.
@Suite(.lab) struct SecretsNeverShownTests {
    @Test func anExternalAccountKeyIsNeverShown_AgainstLab() async throws {
        let hmacKey = Base64URL.encode(Data((0..<32).map { _ in UInt8.random(in: 0...255) }))
        let pebble = try await OwnPebble(externalAccountKeys: ["kid-\(IssueLab.label())": hmacKey])
        var run = try await FaultRun(secretName: "eab-tls")
        // The key file is the test's own, outside the directory searched, readable by its owner only.
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("eab-hmac-\(UUID().uuidString)")
        try Data(hmacKey.utf8).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: file.path)
        run.server = pebble.directoryURL
        let keyID = try #require(pebble.externalAccountKeyIDs.first)
        run.extraArguments = ["--eab-kid", keyID, "--eab-hmac-file", file.path]
        var scan = try LeakScan()
        scan.forbid("the EAB HMAC key", hmacKey)
        let result = try await run.issue()
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.contains("registered ACME account"))
        scan.add("issue with EAB", result)
        try scan.addFiles(under: run.home)
        scan.add("Secret metadata", try await Self.metadata(of: run))
        #expect(scan.hits.isEmpty, "\(scan.hits)")
    }

    @Test func aDNSProviderAPIKeyIsNeverShown_AgainstLab() async throws {
        let zone = try Lab.require("LAB_PDNS_ZONE", component: "pdns")
        let key = try Lab.require("LAB_PDNS_API_KEY", component: "pdns")
        var run = try await FaultRun(secretName: "pdns-tls")
        run.extraArguments = ["-d", "\(IssueLab.label()).\(zone)", "--dns", "pdns"]
        run.environmentOverrides = ["PDNS_API_URL": try Lab.require("LAB_PDNS_API_URL", component: "pdns"), "PDNS_API_KEY": key]
        var scan = try LeakScan()
        let result = try await Subprocess.run("kubectl", ["certs", "issue", "-vvv", "--secret", "pdns-tls", "-n", run.namespace] + run.extraArguments + run.lab.acmeFlags,
                                              environment: run.environment.filter { !$0.key.hasPrefix("RFC2136_") })
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.contains("pdns: PATCH"), "the API calls are not logged at -vvv")
        scan.add("issue through PowerDNS", result)
        try scan.addFiles(under: run.home)
        scan.add("Secret metadata", try await Self.metadata(of: run))
        #expect(scan.hits.isEmpty, "\(scan.hits)")
    }

    /// Every label and annotation on the Secrets of the run's namespace, as text.
    static func metadata(of run: FaultRun) async throws -> String {
        let secrets = try await run.lab.client.list(Secret.self, namespace: run.namespace)
        return secrets.map { "\($0.name) \($0.labels) \($0.annotations)" }.joined(separator: "\n")
    }
}
