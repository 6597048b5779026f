import CertCore
import Foundation
import TestSupport
import Testing

/// `kubectl certs status` run through the real kubectl against the lab's Kubernetes API test
/// server, on fixtures that hold every state.
@Suite(.lab) struct StatusCommandTests {
    final class Fixtures: Sendable {
        let namespace: String
        let cleanNamespace: String
        let kubeconfig: String
        let pki: TestPKI

        init() async throws {
            kubeconfig = try Lab.require("LAB_KUBECONFIG", component: "kube")
            let client = try KubernetesClient(options: KubeConfigOptions(kubeconfig: kubeconfig, context: "lab-admin"))
            pki = try TestPKI(name: "Fixture Root")
            namespace = uniqueLabel("status")
            cleanNamespace = namespace + "-clean"
            for name in [namespace, cleanNamespace] { _ = try await client.create(KubernetesObject(.namespaces, name: name)) }
            let day: TimeInterval = 86400
            let now = Date()
            let intermediate = try pki.certificate("int", commonName: "Fixture Intermediate", notBefore: now.addingTimeInterval(-500 * day), notAfter: now.addingTimeInterval(500 * day), isCA: true)

            func leaf(_ label: String, _ names: [String], _ from: TimeInterval, _ to: TimeInterval) throws -> TestPKI.Issued {
                try pki.certificate(label, commonName: names[0], dnsNames: names, notBefore: now.addingTimeInterval(from * day), notAfter: now.addingTimeInterval(to * day), signer: intermediate)
            }
            func secret(_ name: String, in namespace: String, _ cert: TestPKI.Issued, key: TestPKI.Issued? = nil, chain: Bool = true) async throws {
                var secret = Secret(name: name, namespace: namespace)
                secret.type = Secret.tlsType
                secret.data = ["tls.crt": cert.certificatePEM + (chain ? intermediate.certificatePEM : Data()), "tls.key": (key ?? cert).keyPEM]
                _ = try await client.create(secret.object)
            }
            func ingress(_ name: String, in namespace: String, hosts: [String], secret: String) async throws {
                var ingress = Ingress(name: name, namespace: namespace)
                ingress.object[["spec"]] = [
                    "defaultBackend": ["service": ["name": "web", "port": ["number": 80]]],
                    "tls": [["hosts": .array(hosts.map(JSONValue.string)), "secretName": .string(secret)]],
                ]
                _ = try await client.create(ingress.object)
            }

            let valid = try leaf("valid", ["valid.example.test"], -1, 89)
            try await secret("valid-tls", in: namespace, valid)
            try await ingress("valid", in: namespace, hosts: ["valid.example.test"], secret: "valid-tls")
            try await secret("valid-tls", in: cleanNamespace, valid)
            try await ingress("valid", in: cleanNamespace, hosts: ["valid.example.test"], secret: "valid-tls")

            try await secret("expiring-tls", in: namespace, try leaf("expiring", ["expiring.example.test"], -80, 10))
            try await secret("expired-tls", in: namespace, try leaf("expired", ["expired.example.test"], -100, -10))
            try await secret("future-tls", in: namespace, try leaf("future", ["future.example.test"], 3, 90))
            try await secret("narrow-tls", in: namespace, try leaf("narrow", ["narrow.example.test"], -1, 89))
            try await ingress("wrong-host", in: namespace, hosts: ["other.example.test"], secret: "narrow-tls")
            try await secret("wild-tls", in: namespace, try leaf("wild", ["*.wild.example.test"], -1, 89))
            try await ingress("wildcard", in: namespace, hosts: ["a.wild.example.test", "b.wild.example.test"], secret: "wild-tls")
            try await secret("mismatch-tls", in: namespace, try leaf("mismatch", ["mismatch.example.test"], -1, 89), key: valid)
            try await secret("alone-tls", in: namespace, try leaf("alone", ["alone.example.test"], -1, 89), chain: false)
            try await ingress("missing", in: namespace, hosts: ["missing.example.test"], secret: "missing-tls")

            try await secret("managed-tls", in: namespace, try leaf("managed", ["managed.example.test"], -1, 89))
            var certificate = CertManagerCertificate(name: "managed", namespace: namespace)
            certificate.object[["spec"]] = ["secretName": "managed-tls", "dnsNames": ["managed.example.test"], "issuerRef": ["name": "lab", "kind": "ClusterIssuer"]]
            _ = try await client.create(certificate.object)
            // Status is a subresource: set it as cert-manager does, through /status.
            let status = #"{"status":{"conditions":[{"type":"Ready","status":"False","reason":"Failed","message":"The certificate request has failed to complete"}]}}"#
            let patched = try await Subprocess.run("kubectl", ["patch", "certificate", "managed", "-n", namespace, "--subresource=status", "--type=merge", "-p", status], environment: ["KUBECONFIG": kubeconfig])
            guard patched.status == 0 else { throw LabDNS.Failed(description: "kubectl patch --subresource=status: \(patched.stderr)") }
        }
    }

    static let shared = Task { try await Fixtures() }

    func run(_ arguments: [String]) async throws -> Subprocess.Result {
        let fixtures = try await Self.shared.value
        let path = "\(Subprocess.buildDirectory.path):\(ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin")"
        return try await Subprocess.run("kubectl", ["certs"] + arguments, environment: ["PATH": path, "KUBECONFIG": fixtures.kubeconfig, "NO_COLOR": "1"])
    }

    static let expected: [String: String] = [
        "ingress/valid": "Valid",
        "secret/expiring-tls": "Expiring",
        "secret/expired-tls": "Expired",
        "secret/future-tls": "NotYetValid",
        "ingress/wrong-host": "Uncovered",
        "ingress/wildcard": "Valid",
        "secret/mismatch-tls": "Invalid",
        "secret/alone-tls": "Invalid",
        "ingress/missing": "Missing",
        "certificate/managed": "NotReady",
    ]

    @Test func everyFixtureHasItsStateInJSON_AgainstKubeTestServer() async throws {
        let fixtures = try await Self.shared.value
        let result = try await run(["status", "-n", fixtures.namespace, "-o", "json"])
        #expect(result.status == 0, "\(result.stderr)")
        let report = try JSONValue.decode(Data(result.stdout.utf8))
        #expect(report["kind"]?.stringValue == "CertificateStatusList")
        let items = report["items"]?.arrayValue ?? []
        var states: [String: String] = [:]
        for item in items { states[item["name"]?.stringValue ?? ""] = item["state"]?.stringValue }
        for (name, state) in Self.expected { #expect(states[name] == state, "\(name)") }
        let missing = try #require(items.first { $0["name"]?.stringValue == "ingress/missing" })
        #expect(missing["reason"]?.stringValue == "Secret missing-tls does not exist")
        let wrong = try #require(items.first { $0["name"]?.stringValue == "ingress/wrong-host" })
        #expect(wrong["uncoveredHosts"]?.arrayValue == ["other.example.test"])
        // Most urgent first.
        #expect(items.first?["state"]?.stringValue == "Missing")
        #expect(items.last?["state"]?.stringValue == "Valid")
    }

    @Test func tableAndYAMLShowTheSameStates_AgainstKubeTestServer() async throws {
        let fixtures = try await Self.shared.value
        let table = try await run(["status", "-n", fixtures.namespace])
        #expect(table.status == 0)
        let lines = table.stdout.split(separator: "\n")
        #expect(lines.first?.hasPrefix("NAMESPACE") == true)
        for (name, state) in Self.expected {
            #expect(lines.contains { $0.contains(" \(name) ") && $0.hasSuffix(state) }, "\(name) \(state) in:\n\(table.stdout)")
        }
        let wide = try await run(["status", "-n", fixtures.namespace, "-o", "wide"])
        #expect(wide.stdout.split(separator: "\n").first?.contains("MANAGER") == true)
        #expect(wide.stdout.contains("cert-manager"))

        let yaml = try await run(["status", "-n", fixtures.namespace, "-o", "yaml"])
        #expect(yaml.status == 0)
        for state in Set(Self.expected.values) { #expect(yaml.stdout.contains("state: \(state)")) }
    }

    @Test func failOnExitsThreeExactlyWhenAStateIsPresent_AgainstKubeTestServer() async throws {
        let fixtures = try await Self.shared.value
        let failing = try await run(["status", "-n", fixtures.namespace, "--fail-on", "Expired,Missing", "-o", "json"])
        #expect(failing.status == 3)
        #expect(failing.stderr.contains("Expired, Missing") || failing.stderr.contains("Missing, Expired"))
        let clean = try await run(["status", "-n", fixtures.cleanNamespace, "--fail-on", "Expired,Missing"])
        #expect(clean.status == 0, "\(clean.stdout)\(clean.stderr)")
        let bad = try await run(["status", "--fail-on", "Broken"])
        #expect(bad.status == 2)
    }

    @Test func aTargetShowsItsChainAndWhatToDo_AgainstKubeTestServer() async throws {
        let fixtures = try await Self.shared.value
        let detail = try await run(["status", "ing/wrong-host", "-n", fixtures.namespace])
        #expect(detail.status == 0)
        #expect(detail.stdout.contains("State:        Uncovered"))
        #expect(detail.stdout.contains("Chain:"))
        #expect(detail.stdout.contains("Fixture Intermediate"))
        #expect(detail.stdout.contains("Next:         kubectl certs issue ingress/wrong-host"))
        let nope = try await run(["status", "ingress/nope", "-n", fixtures.namespace])
        #expect(nope.status == 1)
        #expect(nope.stderr.contains("ingress \"nope\" not found"))
    }

    @Test func aReaderSeesWhatItMayAndANote_AgainstKubeTestServer() async throws {
        let fixtures = try await Self.shared.value
        let result = try await run(["status", "-n", "team-a", "--context", "lab-reader", "-o", "json"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.contains("note: cannot list ingresses"))
        _ = fixtures
    }
}
