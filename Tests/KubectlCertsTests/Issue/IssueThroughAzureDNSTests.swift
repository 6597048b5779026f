import CertCore
import Foundation
import TestSupport
import Testing

/// Issuance through the azuredns adapter against the Azure DNS stand-in (which publishes into
/// the lab's BIND, so Pebble and both nameservers see the records).
@Suite(.lab) struct IssueThroughAzureDNSTests {
    let tenant = UUID().uuidString.lowercased()
    let clientID = UUID().uuidString.lowercased()
    let secret = "az-\(UUID().uuidString)"
    let subscription = UUID().uuidString.lowercased()
    let group = "rg-\(UUID().uuidString.prefix(6).lowercased())"

    func standIn() async throws -> ProviderAPILab {
        try await ProviderAPILab("azuredns", credentials: ["tenant": tenant, "client_id": clientID, "client_secret": secret, "federated_token": "unused", "subscription": subscription, "resource_group": group])
    }

    @Test func aWildcardAndItsApexThroughAzureDNS_AgainstLab() async throws {
        let lab = try IssueLab()
        let api = try await standIn()
        let namespace = try await lab.namespace()
        let base = "\(IssueLab.label()).\(lab.zone)"
        var environment = lab.environment.filter { !$0.key.hasPrefix("RFC2136_") }.merging(api.trust) { $1 }
        environment.merge(["AZURE_BASE_URL": api.baseURL, "AZURE_AUTHORITY_HOST": api.baseURL, "AZURE_CLIENT_ID": clientID, "AZURE_CLIENT_SECRET": secret, "AZURE_TENANT_ID": tenant]) { $1 }
        let result = try await Subprocess.run("kubectl", ["certs", "issue", "-d", "*.\(base)", "-d", base, "--secret", "az-tls", "-n", namespace, "--dns", "azuredns"] + lab.acmeFlags, environment: environment)
        #expect(result.status == 0, "\(result.stderr)")
        let secret = try await lab.secret("az-tls", namespace)
        #expect(secret.annotations["kubectl-certs.io/dns-provider"] == "azuredns")
        #expect(try lab.verifyChain(secret))
        #expect(try LabDNS.txt("_acme-challenge.\(base)", at: lab.primary).isEmpty, "challenge records left behind")
        #expect(!result.stderr.contains(self.secret) && !result.stdout.contains(self.secret))
    }

    @Test func anIssuerWithAnAzureDNSSolverIssuesThroughCertificate_AgainstLab() async throws {
        let lab = try IssueLab()
        let api = try await standIn()
        let namespace = try await lab.namespace()
        let base = "\(IssueLab.label()).\(lab.zone)"
        var secretObject = Secret(name: "azuredns-sp", namespace: namespace)
        secretObject.data = ["client-secret": Data(secret.utf8)]
        _ = try await lab.client.create(secretObject.object)
        let issuer: JSONValue = [
            "apiVersion": "cert-manager.io/v1", "kind": "Issuer",
            "metadata": ["name": "az", "namespace": .string(namespace)],
            "spec": ["acme": [
                "server": .string(lab.pebble), "email": "certs@example.test",
                "privateKeySecretRef": ["name": "az-account"],
                "solvers": [["dns01": ["azureDNS": [
                    "clientID": .string(clientID), "clientSecretSecretRef": ["name": "azuredns-sp", "key": "client-secret"], "tenantID": .string(tenant),
                    "subscriptionID": .string(subscription), "resourceGroupName": .string(group), "hostedZoneName": .string(lab.zone), "environment": "AzurePublicCloud",
                ]]]],
            ]],
        ]
        _ = try await lab.client.create(KubernetesObject(json: issuer))
        let certificate: JSONValue = [
            "apiVersion": "cert-manager.io/v1", "kind": "Certificate",
            "metadata": ["name": "web", "namespace": .string(namespace)],
            "spec": ["secretName": "web-tls", "dnsNames": [.string("*.\(base)"), .string(base)], "issuerRef": ["name": "az", "kind": "Issuer"]],
        ]
        _ = try await lab.client.create(KubernetesObject(json: certificate))
        // The endpoints and trust are the stand-in's; the credentials come from the Issuer alone.
        var environment = lab.environment.filter { !$0.key.hasPrefix("RFC2136_") }.merging(api.trust) { $1 }
        environment.merge(["AZURE_BASE_URL": api.baseURL, "AZURE_AUTHORITY_HOST": api.baseURL]) { $1 }
        let result = try await Subprocess.run("kubectl", ["certs", "issue", "certificate/web", "-n", namespace] + lab.acmeFlags, environment: environment)
        #expect(result.status == 0, "\(result.stderr)")
        let secret = try await lab.secret("web-tls", namespace)
        #expect(try lab.verifyChain(secret))
        #expect(try LabDNS.txt("_acme-challenge.\(base)", at: lab.primary).isEmpty)
        #expect(!result.stderr.contains(self.secret))
    }
}
