import CertCore
import Foundation
import TestSupport
import Testing

/// Several solvers of one provider kind: each name's record goes through its own solver.
@Suite struct IssueSolverRoutingTests {
    @Test func twoRFC2136SolversEachPublishOnTheirOwnPrimary_AgainstLab() async throws {
        let lab = try IssueLab()
        let knotZone = try Lab.require("LAB_DNS_KNOT_ZONE", component: "dns")
        let namespace = try await lab.namespace()
        let label = IssueLab.label()
        var tsig = Secret(name: "tsig", namespace: namespace)
        tsig.data = ["tsig-secret-key": Data(lab.tsigSecret.utf8)]
        _ = try await lab.client.create(tsig.object)
        // example.test's primary is BIND (127.0.0.2); knot.test's is Knot (127.0.0.3). Each
        // refuses updates for the zone it only holds as a secondary.
        func solver(nameserver: String, zone: String) -> JSONValue {
            ["dns01": ["rfc2136": [
                "nameserver": .string(nameserver), "tsigKeyName": .string(lab.tsigKey), "tsigAlgorithm": "HMACSHA256",
                "tsigSecretSecretRef": ["name": "tsig", "key": "tsig-secret-key"],
            ]], "selector": ["dnsZones": .array([.string(zone)])]]
        }
        var issuer = CertManagerIssuer(name: "two-primaries", namespace: namespace)
        issuer.object[["spec"]] = ["acme": [
            "server": .string(lab.pebble),
            "privateKeySecretRef": ["name": "account"],
            "solvers": [solver(nameserver: lab.primary, zone: lab.zone), solver(nameserver: lab.secondary, zone: knotZone)],
        ]]
        _ = try await lab.client.create(issuer.object)
        let names = ["a.\(label).\(lab.zone)", "b.\(label).\(knotZone)"]
        var certificate = CertManagerCertificate(name: "both", namespace: namespace)
        certificate.object[["spec"]] = [
            "secretName": "both-tls",
            "dnsNames": .array(names.map(JSONValue.string)),
            "issuerRef": ["name": "two-primaries", "kind": "Issuer"],
        ]
        _ = try await lab.client.create(certificate.object)

        var environment = lab.environment
        for key in ["RFC2136_NAMESERVER", "RFC2136_TSIG_KEY", "RFC2136_TSIG_SECRET"] { environment.removeValue(forKey: key) }
        let result = try await Subprocess.run("kubectl", ["certs", "issue", "certificate/both", "-n", namespace, "--acme-ca-bundle", lab.caBundle, "--dns-resolver", lab.resolver], environment: environment)
        #expect(result.status == 0, "\(result.stderr)")
        let secret = try await lab.secret("both-tls", namespace)
        let leaf = try #require(try Certificate.parseChain(pem: String(decoding: secret.data["tls.crt"] ?? Data(), as: UTF8.self)).first)
        #expect(Set(leaf.dnsNames) == Set(names))
        try await LabDNS.waitUntilEmpty("_acme-challenge.\(names[0])")
        try await LabDNS.waitUntilEmpty("_acme-challenge.\(names[1])")
    }
}
