import CertCore
import DNS01
import Foundation
import Providers
import TestSupport
import Testing

/// The azuredns adapter against the Azure DNS stand-in (lab/provider-apis/azuredns.py), which
/// also serves the identity platform's token endpoint and IMDS, and publishes into the lab's BIND.
@Suite(.lab) struct AzureDNSTests {
    let tenant = UUID().uuidString.lowercased()
    let clientID = UUID().uuidString.lowercased()
    let secret = "az~\(UUID().uuidString)&+="
    let federated = "eyJhbGciOiJSUzI1NiJ9.\(UUID().uuidString).sig"
    let subscription = UUID().uuidString.lowercased()
    let group = "rg-\(UUID().uuidString.prefix(6).lowercased())"

    func lab() async throws -> ProviderAPILab {
        try await ProviderAPILab("azuredns", credentials: ["tenant": tenant, "client_id": clientID, "client_secret": secret, "federated_token": federated, "subscription": subscription, "resource_group": group])
    }

    func environment(_ lab: ProviderAPILab, _ extra: [String: String] = [:]) -> [String: String] {
        lab.trust.merging(["AZURE_BASE_URL": lab.baseURL, "AZURE_AUTHORITY_HOST": lab.baseURL, "AZURE_CLIENT_ID": clientID, "AZURE_CLIENT_SECRET": secret, "AZURE_TENANT_ID": tenant]) { $1 }.merging(extra) { $1 }
    }

    func record(_ lab: ProviderAPILab, _ prefix: String) -> ChallengeRecord {
        ChallengeRecord(fqdn: "_acme-challenge.\(uniqueLabel(prefix)).\(lab.zone)", zone: lab.zone, value: "\(prefix)-\(UUID().uuidString.prefix(8))", ttl: 60)
    }

    func presentAndCleanUp(_ provider: any DNSProvider, _ lab: ProviderAPILab, _ prefix: String) async throws {
        let record = record(lab, prefix)
        try await provider.present(record)
        #expect(try LabDNS.txt(record.fqdn, at: lab.nameservers[0]).contains(record.value))
        try await provider.cleanUp(record)
        #expect(try LabDNS.txt(record.fqdn, at: lab.nameservers[0]).isEmpty)
    }

    @Test func conformance_AgainstAzureDNSStandIn() async throws {
        let lab = try await lab()
        let environment = environment(lab)
        try await runProviderConformance(
            makeProvider: { try configuredProvider(environment, code: "azuredns") },
            makeWrongProvider: { try configuredProvider(environment.merging(["AZURE_CLIENT_SECRET": "wrong-\(UUID().uuidString)"]) { $1 }, code: "azuredns") },
            makeUnreachableProvider: { try configuredProvider(environment.merging(["AZURE_BASE_URL": "https://127.0.0.9:1"]) { $1 }, code: "azuredns") },
            zone: lab.zone,
            nameservers: lab.nameservers.map { DNSServer(host: $0) },
            isClearCredentialError: { $0.hasPrefix("azuredns: ") && $0.contains("401") && $0.contains("AADSTS7000215: Invalid client secret") && $0.contains("in zone \(lab.zone).") })
        let requests = try await lab.requests()
        let arm = requests.filter { ($0["path"] as? String)?.hasPrefix("/subscriptions") == true }
        #expect(arm.allSatisfy { ($0["headers"] as? [String])?.contains("Authorization") == true })
        #expect(requests.allSatisfy { !"\($0["query"] ?? "")".contains(secret) })
        // The zone was found by following nextLink through the subscriptions and their zones.
        #expect(arm.contains { $0["path"] as? String == "/subscriptions" && ($0["query"] as? String)?.contains("skiptoken") == true })
        #expect(arm.contains { ($0["path"] as? String)?.hasSuffix("/dnszones") == true && ($0["query"] as? String)?.contains("skiptoken") == true })
        // Every write carried its precondition.
        let writes = arm.filter { $0["method"] as? String == "PUT" || $0["method"] as? String == "DELETE" }
        #expect(!writes.isEmpty)
        #expect(writes.allSatisfy { ($0["headers"] as? [String]).map { $0.contains("If-Match") || $0.contains("If-None-Match") } == true })
    }

    @Test func aWorkloadIdentitysFederatedTokenIsTheClientAssertion_AgainstAzureDNSStandIn() async throws {
        let lab = try await lab()
        let scratch = try ScratchDirectory()
        var environment = environment(lab, ["AZURE_FEDERATED_TOKEN_FILE": try scratch.write("token", federated + "\n"), "AZURE_SUBSCRIPTION_ID": subscription, "AZURE_RESOURCE_GROUP": group])
        environment["AZURE_CLIENT_SECRET"] = nil
        try await presentAndCleanUp(try configuredProvider(environment, code: "azuredns"), lab, "awi")
        let requests = try await lab.requests()
        #expect(requests.contains { $0["path"] as? String == "/\(tenant)/oauth2/v2.0/token" && ($0["body"] as? String)?.contains("client_assertion=") == true })
        // Subscription and resource group given: nothing is listed.
        #expect(!requests.contains { $0["path"] as? String == "/subscriptions" })
    }

    @Test func theManagedIdentityComesFromIMDS_AgainstAzureDNSStandIn() async throws {
        let lab = try await lab()
        let host = try #require(lab.plainHost)
        var environment = environment(lab, ["AZURE_METADATA_ENDPOINT": "http://\(host)", "AZURE_SUBSCRIPTION_ID": subscription])
        for name in ["AZURE_CLIENT_SECRET", "AZURE_CLIENT_ID", "AZURE_TENANT_ID"] { environment[name] = nil }
        try await presentAndCleanUp(try configuredProvider(environment, code: "azuredns"), lab, "ami")
        let imds = try await lab.requests().filter { $0["path"] as? String == "/metadata/identity/oauth2/token" }
        #expect(!imds.isEmpty && imds.allSatisfy { ($0["headers"] as? [String])?.contains("Metadata") == true })
    }

    @Test func aWriteRefusedBecauseTheSetChangedIsReadAgainAndMadeAgain_AgainstAzureDNSStandIn() async throws {
        let lab = try await lab()
        let provider = try configuredProvider(environment(lab, ["AZURE_SUBSCRIPTION_ID": subscription, "AZURE_RESOURCE_GROUP": group]), code: "azuredns")
        let first = record(lab, "apc")
        try await provider.present(first)
        let path = try #require(try await lab.requests().first { $0["method"] as? String == "PUT" }?["path"] as? String)
        try await lab.fault(status: 412, count: 2, body: ["error": ["code": "PreconditionFailed", "message": "The condition in the If-Match header was not satisfied."]], method: "PUT", path: path)
        let second = ChallengeRecord(fqdn: first.fqdn, zone: first.zone, value: "apc2-\(UUID().uuidString.prefix(8))", ttl: 60)
        try await provider.present(second)
        #expect(Set(try LabDNS.txt(first.fqdn, at: lab.nameservers[0])) == [first.value, second.value])
        #expect(try await lab.requests().filter { $0["method"] as? String == "PUT" }.count == 4, "one write for the first value, three (two refused) for the second")
        try await provider.cleanUp(first)
        try await provider.cleanUp(second)
        #expect(try LabDNS.txt(first.fqdn, at: lab.nameservers[0]).isEmpty)
    }

    @Test func aMissingPieceOfTheClientSecretIsNamed() {
        let error = #expect(throws: ProviderError.self) { try configuredProvider(["AZURE_CLIENT_SECRET": "s"], code: "azuredns") }
        #expect(error?.message.contains("AZURE_CLIENT_ID (for the client secret)") == true && error?.message.contains("AZURE_TENANT_ID (for the client secret)") == true)
        #expect(error?.message.contains("=s") == false)
    }

    @Test func suppliedSettingsCannotRedirectTheManagedIdentitysToken() throws {
        let environment = ProviderEnvironment(local: [:], supplied: ["AZURE_METADATA_ENDPOINT": "http://elsewhere.example", "AZURE_SUBSCRIPTION_ID": "s"], suppliedBy: "Secret team/dns")
        let error = #expect(throws: ProviderError.self) { try ConfiguredProvider(code: "azuredns", environment: environment) }
        #expect(error?.message.contains("AZURE_METADATA_ENDPOINT in Secret team/dns is refused without AZURE_CLIENT_SECRET") == true)
    }

    @Test func theAzureDNSSolverMapsToLegosNames() async throws {
        let context = CertManagerSolverContext(issuer: "Issuer az", secretNamespace: "ns") { name, key in
            guard name == "azure", key == "secret" else { throw ProviderError(.configuration, provider: nil, "no \(name)/\(key)") }
            return "s3cret"
        }
        let solver: JSONValue = ["clientID": "c", "clientSecretSecretRef": ["name": "azure", "key": "secret"], "tenantID": "t", "subscriptionID": "sub",
                                 "resourceGroupName": "rg", "hostedZoneName": "example.com", "environment": "AzureChinaCloud"]
        let (code, variables) = try await ProviderRegistry.variables(forCertManagerSolver: "azureDNS", solver: solver, context: context)
        #expect(code == "azuredns")
        #expect(variables == ["AZURE_CLIENT_ID": "c", "AZURE_CLIENT_SECRET": "s3cret", "AZURE_TENANT_ID": "t", "AZURE_SUBSCRIPTION_ID": "sub", "AZURE_RESOURCE_GROUP": "rg",
                              "AZURE_ZONE_NAME": "example.com", "AZURE_ENVIRONMENT": "china", "AZURE_AUTH_METHOD": "env"])
        let (_, managed) = try await ProviderRegistry.variables(forCertManagerSolver: "azureDNS", solver: ["subscriptionID": "sub", "managedIdentity": ["clientID": "mi"]], context: context)
        #expect(managed == ["AZURE_SUBSCRIPTION_ID": "sub", "AZURE_CLIENT_ID": "mi"])
        await #expect(throws: ProviderError.self) { try await ProviderRegistry.variables(forCertManagerSolver: "azureDNS", solver: ["environment": "AzureMoon"], context: context) }
    }
}
