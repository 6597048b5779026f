import CertCore
import DNS01
import Foundation
import Providers
import TestSupport
import Testing

/// The gcloud adapter against the Cloud DNS stand-in (lab/provider-apis/gcloud.py), which also
/// serves the OAuth token endpoint and the metadata server, and publishes into the lab's BIND.
@Suite(.lab) struct GCloudTests {
    func environment(_ lab: ProviderAPILab, _ account: GoogleTestAccount, _ extra: [String: String] = [:]) -> [String: String] {
        lab.trust.merging(["GCE_BASE_URL": lab.baseURL + "/dns/v1", "GCE_SERVICE_ACCOUNT": account.json(tokenURI: lab.baseURL + "/token")]) { $1 }.merging(extra) { $1 }
    }

    func record(_ lab: ProviderAPILab, _ prefix: String) -> ChallengeRecord {
        ChallengeRecord(fqdn: "_acme-challenge.\(uniqueLabel(prefix)).\(lab.zone)", zone: lab.zone, value: "\(prefix)-\(UUID().uuidString.prefix(8))", ttl: 60)
    }

    @Test func conformance_AgainstGCloudStandIn() async throws {
        let account = try GoogleTestAccount()
        let lab = try await ProviderAPILab("gcloud", credentials: account.credentials)
        let environment = environment(lab, account)
        let otherKey = try PrivateKey.generate(.rsa2048).pem(encoding: .pkcs8)
        try await runProviderConformance(
            makeProvider: { try configuredProvider(environment, code: "gcloud") },
            makeWrongProvider: { try configuredProvider(environment.merging(["GCE_SERVICE_ACCOUNT": account.json(tokenURI: lab.baseURL + "/token", privateKey: otherKey)]) { $1 }, code: "gcloud") },
            makeUnreachableProvider: { try configuredProvider(environment.merging(["GCE_BASE_URL": "https://127.0.0.9:1/dns/v1"]) { $1 }, code: "gcloud") },
            zone: lab.zone,
            nameservers: lab.nameservers.map { DNSServer(host: $0) },
            isClearCredentialError: { $0.hasPrefix("gcloud: ") && $0.contains("400") && $0.contains("Invalid JWT Signature") && $0.contains(account.email) && $0.contains("in zone \(lab.zone).") })
        let requests = try await lab.requests()
        let api = requests.filter { ($0["path"] as? String)?.hasPrefix("/dns/v1/") == true }
        #expect(!api.isEmpty)
        // Every Cloud DNS call carried a Bearer token; the key never left in a query or body.
        #expect(api.allSatisfy { ($0["headers"] as? [String])?.contains("Authorization") == true })
        #expect(requests.allSatisfy { !"\($0["query"] ?? "")\($0["body"] ?? "")".contains("PRIVATE KEY") })
        // The private zone of the same name comes first and was passed over (page two holds the public one).
        let zoneLookups = api.filter { ($0["path"] as? String)?.hasSuffix("/managedZones") == true }
        #expect(zoneLookups.contains { ($0["query"] as? String)?.contains("pageToken=") == true })
        #expect(!api.contains { ($0["path"] as? String)?.contains("/managedZones/internal-") == true })
    }

    @Test func theMetadataServersTokenAndProjectAreUsedWithoutAKey_AgainstGCloudStandIn() async throws {
        let account = try GoogleTestAccount()
        let lab = try await ProviderAPILab("gcloud", credentials: account.credentials)
        let host = try #require(lab.plainHost)
        var environment = environment(lab, account, ["GCE_METADATA_HOST": host])
        environment["GCE_SERVICE_ACCOUNT"] = nil
        let provider = try configuredProvider(environment, code: "gcloud")
        let record = record(lab, "gmd")
        try await provider.present(record)
        #expect(try LabDNS.txt(record.fqdn, at: lab.nameservers[0]).contains(record.value))
        try await provider.cleanUp(record)
        #expect(try LabDNS.txt(record.fqdn, at: lab.nameservers[0]).isEmpty)
        let metadata = try await lab.requests().filter { ($0["path"] as? String)?.hasPrefix("/computeMetadata/") == true }
        #expect(Set(metadata.compactMap { $0["path"] as? String }) == ["/computeMetadata/v1/instance/service-accounts/default/token", "/computeMetadata/v1/project/project-id"])
        #expect(metadata.allSatisfy { ($0["headers"] as? [String])?.contains("Metadata-Flavor") == true })
        #expect(try await lab.requests().filter { $0["path"] as? String == "/token" }.isEmpty)
    }

    @Test func noMetadataServerIsUnreachableAndSaysWhatWasBeingDone() async throws {
        let provider = try configuredProvider(["GCE_METADATA_HOST": "127.0.0.9:1", "GCE_PROJECT": "p"], code: "gcloud")
        let record = ChallengeRecord(fqdn: "_acme-challenge.nometa.example.test", zone: "example.test", value: "v", ttl: 60)
        let error = await #expect(throws: ProviderError.self) { try await provider.present(record) }
        #expect(error?.code == .unreachable)
        #expect(error?.message.contains("getting an access token from the metadata server") == true)
    }

    @Test func aKeyFileAndGoogleApplicationCredentialsWork_AgainstGCloudStandIn() async throws {
        let account = try GoogleTestAccount()
        let lab = try await ProviderAPILab("gcloud", credentials: account.credentials)
        let scratch = try ScratchDirectory()
        // A key without project_id: GCE_PROJECT names the project.
        let file = try scratch.write("key.json", account.json(tokenURI: lab.baseURL + "/token", project: ""))
        for variable in ["GCE_SERVICE_ACCOUNT_FILE", "GOOGLE_APPLICATION_CREDENTIALS"] {
            var environment = environment(lab, account, [variable: file, "GCE_PROJECT": account.project])
            environment["GCE_SERVICE_ACCOUNT"] = nil
            let provider = try configuredProvider(environment, code: "gcloud")
            let record = record(lab, "gkf")
            try await provider.present(record)
            #expect(try LabDNS.txt(record.fqdn, at: lab.nameservers[0]).contains(record.value), "through \(variable)")
            try await provider.cleanUp(record)
            #expect(try LabDNS.txt(record.fqdn, at: lab.nameservers[0]).isEmpty, "through \(variable)")
        }
    }

    @Test func aChangeRefusedBecauseTheSetChangedIsReadAgainAndMadeAgain_AgainstGCloudStandIn() async throws {
        let account = try GoogleTestAccount()
        let lab = try await ProviderAPILab("gcloud", credentials: account.credentials)
        let provider = try configuredProvider(environment(lab, account), code: "gcloud")
        let first = record(lab, "gpc")
        try await provider.present(first)
        let zonePath = try #require(try await lab.requests().compactMap { $0["path"] as? String }.first { $0.hasSuffix("/changes") })
        // Another writer changed the set between our read and our change: Cloud DNS refuses the deletion.
        let refusal: [String: Any] = ["error": ["code": 412, "message": "Precondition not met for 'entity.change.deletions[0]'", "status": "FAILED_PRECONDITION",
                                                "errors": [["message": "Precondition not met for 'entity.change.deletions[0]'", "domain": "global", "reason": "conditionNotMet"]]]]
        try await lab.fault(status: 412, count: 2, body: refusal, method: "POST", path: zonePath)
        let second = ChallengeRecord(fqdn: first.fqdn, zone: first.zone, value: "gpc2-\(UUID().uuidString.prefix(8))", ttl: 60)
        try await provider.present(second)
        #expect(Set(try LabDNS.txt(first.fqdn, at: lab.nameservers[0])) == [first.value, second.value])
        let changes = try await lab.requests().filter { $0["path"] as? String == zonePath }
        #expect(changes.count == 4, "one change for the first value, three (two refused) for the second")
        try await provider.cleanUp(first)
        try await provider.cleanUp(second)
        #expect(try LabDNS.txt(first.fqdn, at: lab.nameservers[0]).isEmpty)
    }

    @Test func aSetThatKeepsChangingIsGivenUpWithTheAPIsWords_AgainstGCloudStandIn() async throws {
        let account = try GoogleTestAccount()
        let lab = try await ProviderAPILab("gcloud", credentials: account.credentials)
        let provider = try configuredProvider(environment(lab, account), code: "gcloud")
        let first = record(lab, "gpg")
        try await provider.present(first)
        let zonePath = try #require(try await lab.requests().compactMap { $0["path"] as? String }.first { $0.hasSuffix("/changes") })
        try await lab.fault(status: 409, count: 6, body: ["error": ["code": 409, "message": "The resource 'entity.change.additions[0]' named 'x (TXT)' already exists", "status": "ALREADY_EXISTS"]], method: "POST", path: zonePath)
        let error = await #expect(throws: ProviderError.self) { try await provider.cleanUp(first) }
        #expect(error?.code == .rejected)
        #expect(error?.message.contains("gave up after 6 attempts") == true && error?.message.contains("already exists") == true)
        try await provider.cleanUp(first)
        #expect(try LabDNS.txt(first.fqdn, at: lab.nameservers[0]).isEmpty)
    }

    @Test func rateLimitsAreWaitedOut_AgainstGCloudStandIn() async throws {
        let account = try GoogleTestAccount()
        let lab = try await ProviderAPILab("gcloud", credentials: account.credentials)
        let provider = try configuredProvider(environment(lab, account), code: "gcloud")
        try await lab.fault(status: 429, count: 2, headers: ["Retry-After": "1"], body: ["error": ["code": 429, "message": "Quota exceeded", "status": "RESOURCE_EXHAUSTED"]])
        let record = record(lab, "grl")
        try await provider.present(record)
        #expect(try LabDNS.txt(record.fqdn, at: lab.nameservers[0]).contains(record.value))
        try await provider.cleanUp(record)
        let paths = try await lab.requests().compactMap { $0["path"] as? String }
        #expect(paths.prefix(3) == ["/token", "/token", "/token"])
    }

    @Test func aKeyThatIsNotOneIsRefusedWithoutShowingIt() {
        let error = #expect(throws: ProviderError.self) { try configuredProvider(["GCE_SERVICE_ACCOUNT": "{\"type\": \"authorized_user\", \"refresh_token\": \"sekrit-refresh\"}"], code: "gcloud") }
        #expect(error?.code == .configuration)
        #expect(error?.message.contains("type authorized_user") == true)
        #expect(error?.message.contains("sekrit") == false)
        let notJSON = #expect(throws: ProviderError.self) { try configuredProvider(["GCE_SERVICE_ACCOUNT": "sekrit-not-json"], code: "gcloud") }
        #expect(notJSON?.message.contains("is not JSON") == true && notJSON?.message.contains("sekrit") == false)
    }

    @Test func suppliedSettingsCannotRedirectTheAmbientToken() throws {
        let environment = ProviderEnvironment(local: [:], supplied: ["GCE_BASE_URL": "https://elsewhere.example/dns/v1", "GCE_PROJECT": "p"], suppliedBy: "Secret team/dns")
        let error = #expect(throws: ProviderError.self) { try ConfiguredProvider(code: "gcloud", environment: environment) }
        #expect(error?.message.contains("GCE_BASE_URL in Secret team/dns is refused without GCE_SERVICE_ACCOUNT") == true)
    }

    @Test func theClouddnsSolverMapsToLegosNames() async throws {
        let solver: JSONValue = ["project": "my-project", "hostedZoneName": "my-zone", "serviceAccountSecretRef": ["name": "clouddns", "key": "key.json"]]
        let context = CertManagerSolverContext(issuer: "Issuer gc", secretNamespace: "ns") { name, key in
            guard name == "clouddns", key == "key.json" else { throw ProviderError(.configuration, provider: nil, "no \(name)/\(key)") }
            return "{\"type\": \"service_account\"}\n"
        }
        let (code, variables) = try await ProviderRegistry.variables(forCertManagerSolver: "clouddns", solver: solver, context: context)
        #expect(code == "gcloud")
        #expect(variables == ["GCE_PROJECT": "my-project", "GCE_ZONE_ID": "my-zone", "GCE_SERVICE_ACCOUNT": "{\"type\": \"service_account\"}"])
        // Without a key, the ambient credentials.
        let (_, ambient) = try await ProviderRegistry.variables(forCertManagerSolver: "clouddns", solver: ["project": "p"], context: context)
        #expect(ambient == ["GCE_PROJECT": "p"])
    }
}
