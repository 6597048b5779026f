import CertCore
import Foundation
import TestSupport
import Testing

/// Several solvers of one provider kind: each name's record goes through its own solver, and
/// so does the removal of records a killed run left.
@Suite(.lab) struct IssueSolverRoutingTests {
    /// An Issuer with two rfc2136 solvers: example.test through its primary, BIND (127.0.0.2),
    /// and knot.test through its primary, Knot (127.0.0.3). Each server refuses updates for the
    /// zone it only holds as a secondary.
    struct TwoPrimaries {
        let lab: IssueLab
        let namespace: String
        let knotZone: String

        init() async throws {
            lab = try IssueLab()
            knotZone = try Lab.require("LAB_DNS_KNOT_ZONE", component: "dns")
            namespace = try await lab.namespace()
            var tsig = Secret(name: "tsig", namespace: namespace)
            tsig.data = ["tsig-secret-key": Data(lab.tsigSecret.utf8)]
            _ = try await lab.client.create(tsig.object)
            let lab = lab
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
        }

        /// Creates or changes the Certificate `both` to cover `names`.
        func certificate(_ names: [String]) async throws {
            let spec: JSONValue = [
                "secretName": "both-tls",
                "dnsNames": .array(names.map(JSONValue.string)),
                "issuerRef": ["name": "two-primaries", "kind": "Issuer"],
            ]
            if var existing = try await lab.client.getIfPresent(.certificates, name: "both", namespace: namespace) {
                existing[["spec"]] = spec
                _ = try await lab.client.update(existing)
            } else {
                var certificate = CertManagerCertificate(name: "both", namespace: namespace)
                certificate.object[["spec"]] = spec
                _ = try await lab.client.create(certificate.object)
            }
        }

        /// The credentials come from the issuer only.
        var environment: [String: String] {
            var environment = lab.environment
            for key in ["RFC2136_NAMESERVER", "RFC2136_TSIG_KEY", "RFC2136_TSIG_SECRET"] { environment.removeValue(forKey: key) }
            return environment
        }

        var arguments: [String] {
            ["certs", "issue", "certificate/both", "-n", namespace, "--acme-ca-bundle", lab.caBundle, "--dns-resolver", lab.resolver]
        }
    }

    @Test func twoRFC2136SolversEachPublishOnTheirOwnPrimary_AgainstLab() async throws {
        let setup = try await TwoPrimaries()
        let label = IssueLab.label()
        let names = ["a.\(label).\(setup.lab.zone)", "b.\(label).\(setup.knotZone)"]
        try await setup.certificate(names)
        let result = try await Subprocess.run("kubectl", setup.arguments, environment: setup.environment)
        #expect(result.status == 0, "\(result.stderr)")
        let secret = try await setup.lab.secret("both-tls", setup.namespace)
        let leaf = try #require(try Certificate.parseChain(pem: String(decoding: secret.data["tls.crt"] ?? Data(), as: UTF8.self)).first)
        #expect(Set(leaf.dnsNames) == Set(names))
        try await LabDNS.waitUntilEmpty("_acme-challenge.\(names[0])")
        try await LabDNS.waitUntilEmpty("_acme-challenge.\(names[1])")
    }

    @Test func recordsAKilledRunLeftAreRemovedThroughTheirOwnSolver_AgainstLab() async throws {
        let setup = try await TwoPrimaries()
        let label = IssueLab.label()
        let killedNames = ["a.\(label).\(setup.lab.zone)", "b.\(label).\(setup.knotZone)"]
        try await setup.certificate(killedNames)
        // The solvers publish one after the other, each followed by the fixed wait: killed
        // once the second has published, the run leaves both records behind.
        let killed = try RunningCommand(["kubectl"] + setup.arguments + ["--propagation-wait", "10s"], environment: setup.environment,
                                        signalOn: .init("TXT published", count: 2, signal: SIGKILL))
        #expect(await killed.wait() == SIGKILL)
        #expect(try LabDNS.txt("_acme-challenge.\(killedNames[0])", at: setup.lab.primary).count == 1)
        #expect(try LabDNS.txt("_acme-challenge.\(killedNames[1])", at: setup.lab.secondary).count == 1)

        // Other names in the same two zones: a new order, and the killed run's records are
        // left over, each to be removed through the solver that published it.
        let names = ["c.\(label).\(setup.lab.zone)", "d.\(label).\(setup.knotZone)"]
        try await setup.certificate(names)
        let result = try await Subprocess.run("kubectl", setup.arguments, environment: setup.environment)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(try LabDNS.txt("_acme-challenge.\(killedNames[0])", at: setup.lab.primary).isEmpty)
        #expect(try LabDNS.txt("_acme-challenge.\(killedNames[1])", at: setup.lab.secondary).isEmpty, "\(result.stderr)")
        #expect(try await setup.lab.client.getIfPresent(.secrets, name: "kubectl-certs-pending-both-tls", namespace: setup.namespace) == nil)
    }
}
