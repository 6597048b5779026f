import CertCore
import Foundation
import TestSupport
import Testing

/// `kubectl certs issue` end to end on the lab: Pebble (-strict, half the nonces rejected),
/// BIND primary + Knot secondary, the Kubernetes API test server, and the real kubectl.
@Suite(.lab) struct IssueCommandTests {
    @Test func aWildcardAndItsApexGoIntoOneSecret_AgainstLab() async throws {
        let lab = try IssueLab()
        let namespace = try await lab.namespace()
        let base = "\(IssueLab.label()).\(lab.zone)"
        let result = try await lab.issue(["-d", "*.\(base)", "-d", base, "--secret", "wild-tls", "-n", namespace, "--dns", "rfc2136"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("into Secret \(namespace)/wild-tls"))
        #expect(result.stderr.contains("every nameserver serves _acme-challenge.\(base)"))

        let secret = try await lab.secret("wild-tls", namespace)
        #expect(secret.type == "kubernetes.io/tls")
        #expect(secret.labels["app.kubernetes.io/managed-by"] == "kubectl-certs")
        #expect(secret.annotations["kubectl-certs.io/domains"] == "*.\(base),\(base)")
        #expect(secret.annotations["cert-manager.io/alt-names"]?.split(separator: ",").sorted() == [Substring("*.\(base)"), Substring(base)].sorted())
        let leaf = try #require(try Certificate.parseChain(pem: String(decoding: secret.data["tls.crt"]!, as: UTF8.self)).first)
        #expect(Set(leaf.dnsNames) == ["*.\(base)", base])
        #expect(leaf.matches(try PrivateKey(pem: String(decoding: secret.data["tls.key"]!, as: UTF8.self))))
        #expect(try lab.verifyChain(secret))
        #expect(try LabDNS.txt("_acme-challenge.\(base)", at: lab.primary).isEmpty, "challenge records left behind")
        try await LabDNS.waitUntilEmpty("_acme-challenge.\(base)")
        // The run leaves nothing pending.
        #expect(try await lab.client.getIfPresent(.secrets, name: "kubectl-certs-pending-wild-tls", namespace: namespace) == nil)
        // No secret reaches the process arguments or the output.
        #expect(!result.stderr.contains(lab.tsigSecret) && !result.stdout.contains(lab.tsigSecret))
    }

    @Test func aForeignSecretIsRefusedWithoutAdoptAndKeptWholeWithIt_AgainstLab() async throws {
        let lab = try IssueLab()
        let namespace = try await lab.namespace()
        var foreign = Secret(name: "theirs", namespace: namespace)
        foreign.type = Secret.tlsType
        foreign.data = ["tls.crt": Data("old".utf8), "tls.key": Data("old".utf8), "keep.me": Data("yes".utf8)]
        foreign.labels = ["team": "payments"]
        _ = try await lab.client.create(foreign.object)
        let name = "\(IssueLab.label()).\(lab.zone)"

        let refused = try await lab.issue(["-d", name, "--secret", "theirs", "-n", namespace, "--dns", "rfc2136"])
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("--adopt"))
        #expect(try await lab.secret("theirs", namespace).data["tls.crt"] == Data("old".utf8))

        let adopted = try await lab.issue(["-d", name, "--secret", "theirs", "-n", namespace, "--dns", "rfc2136", "--adopt"])
        #expect(adopted.status == 0, "\(adopted.stderr)")
        let secret = try await lab.secret("theirs", namespace)
        #expect(secret.data["keep.me"] == Data("yes".utf8))
        #expect(secret.labels["team"] == "payments")
        #expect(secret.labels["app.kubernetes.io/managed-by"] == "kubectl-certs")

        var opaque = Secret(name: "opaque", namespace: namespace)
        opaque.data = ["x": Data("y".utf8)]
        _ = try await lab.client.create(opaque.object)
        let typed = try await lab.issue(["-d", name, "--secret", "opaque", "-n", namespace, "--dns", "rfc2136", "--adopt"])
        #expect(typed.status == 1)
        #expect(typed.stderr.contains("never changes a Secret's type"))
    }

    @Test func anIngressWithTwoTLSEntriesGetsTwoSecrets_AgainstLab() async throws {
        let lab = try IssueLab()
        let namespace = try await lab.namespace()
        let label = IssueLab.label()
        var ingress = Ingress(name: "web", namespace: namespace)
        ingress.object[["spec"]] = ["defaultBackend": ["service": ["name": "web", "port": ["number": 80]]], "tls": [
            ["hosts": .array([.string("shop.\(label).\(lab.zone)")]), "secretName": "shop-tls"],
            ["hosts": .array([.string("api.\(label).\(lab.zone)"), .string("*.api.\(label).\(lab.zone)")]), "secretName": "api-tls"],
        ]]
        _ = try await lab.client.create(ingress.object)
        let result = try await lab.issue(["ingress/web", "-n", namespace, "--dns", "rfc2136"])
        #expect(result.status == 0, "\(result.stderr)")
        let shop = try await lab.secret("shop-tls", namespace)
        let api = try await lab.secret("api-tls", namespace)
        #expect(try Certificate.parseChain(pem: String(decoding: shop.data["tls.crt"]!, as: UTF8.self))[0].dnsNames == ["shop.\(label).\(lab.zone)"])
        #expect(Set(try Certificate.parseChain(pem: String(decoding: api.data["tls.crt"]!, as: UTF8.self))[0].dnsNames) == ["api.\(label).\(lab.zone)", "*.api.\(label).\(lab.zone)"])

        // status agrees: both entries are Valid.
        let status = try await Subprocess.run("kubectl", ["certs", "status", "ingress/web", "-n", namespace, "-o", "json"], environment: lab.environment)
        #expect(status.status == 0)
        #expect(status.stdout.components(separatedBy: "\"state\" : \"Valid\"").count - 1 == 2, "\(status.stdout)")
    }

    @Test func aCertificateWithAClusterIssuerUsesItsRFC2136SolverAndSecret_AgainstLab() async throws {
        let lab = try IssueLab()
        let namespace = try await lab.namespace()
        let label = IssueLab.label()
        if try await lab.client.getIfPresent(.namespaces, name: "cert-manager") == nil {
            _ = try? await lab.client.create(KubernetesObject(.namespaces, name: "cert-manager"))
        }
        var tsig = Secret(name: "tsig-\(label)", namespace: "cert-manager")
        tsig.data = ["tsig-secret-key": Data(lab.tsigSecret.utf8)]
        _ = try await lab.client.create(tsig.object)
        var issuer = CertManagerClusterIssuer(name: "lab-\(label)")
        issuer.object[["spec"]] = ["acme": [
            "server": .string(lab.pebble),
            "email": "certs@example.org",
            "privateKeySecretRef": ["name": .string("account-\(label)")],
            "solvers": [
                ["http01": ["ingress": ["class": "nginx"]], "selector": ["dnsZones": ["other.test"]]],
                ["dns01": ["rfc2136": [
                    "nameserver": .string(lab.primary), "tsigKeyName": .string(lab.tsigKey), "tsigAlgorithm": "HMACSHA256",
                    "tsigSecretSecretRef": ["name": .string("tsig-\(label)"), "key": "tsig-secret-key"],
                ]], "selector": ["dnsZones": .array([.string(lab.zone)])]],
            ],
        ]]
        _ = try await lab.client.create(issuer.object)
        var certificate = CertManagerCertificate(name: "web", namespace: namespace)
        certificate.object[["spec"]] = [
            "secretName": "web-tls",
            "dnsNames": .array([.string("web.\(label).\(lab.zone)")]),
            "issuerRef": ["name": .string("lab-\(label)"), "kind": "ClusterIssuer"],
            "privateKey": ["algorithm": "ECDSA", "size": 384, "encoding": "PKCS8"],
        ]
        _ = try await lab.client.create(certificate.object)

        var environment = lab.environment
        for key in ["RFC2136_NAMESERVER", "RFC2136_TSIG_KEY", "RFC2136_TSIG_SECRET"] { environment.removeValue(forKey: key) }
        let result = try await Subprocess.run("kubectl", ["certs", "issue", "certificate/web", "-n", namespace, "--acme-ca-bundle", lab.caBundle, "--dns-resolver", lab.resolver], environment: environment)
        #expect(result.status == 0, "\(result.stderr)")
        let secret = try await lab.secret("web-tls", namespace)
        #expect(secret.annotations["cert-manager.io/certificate-name"] == "web")
        #expect(secret.annotations["cert-manager.io/issuer-name"] == "lab-\(label)")
        #expect(secret.annotations["cert-manager.io/issuer-kind"] == "ClusterIssuer")
        #expect(String(decoding: secret.data["tls.key"]!, as: UTF8.self).hasPrefix("-----BEGIN PRIVATE KEY-----"))
        #expect(try PrivateKey(pem: String(decoding: secret.data["tls.key"]!, as: UTF8.self)).type == .ec384)
        // The account key is where the ClusterIssuer says, for cert-manager to share.
        #expect(try await lab.client.getIfPresent(.secrets, name: "account-\(label)", namespace: "cert-manager") != nil)
    }

    @Test func killedDuringPropagationTheSameCommandFinishesAndCleansUp_AgainstLab() async throws {
        let lab = try IssueLab()
        let namespace = try await lab.namespace()
        // A fixed propagation wait makes "during propagation" a window of known length; it is
        // long enough for the NOTIFY-fed secondary, so the second run's validation succeeds.
        let name = "\(IssueLab.label()).\(lab.zone)"
        let arguments = ["-d", name, "--secret", "slow-tls", "-n", namespace, "--dns", "rfc2136", "--propagation-wait", "10s"]
        // Killed from the pipe's reader the moment the line appears: a busy test pool must not
        // let the run finish its wait first.
        let first = try lab.startIssue(arguments, signalOn: .init("TXT published", signal: SIGKILL))
        #expect(await first.wait() == SIGKILL)
        #expect(first.stderr.contains("TXT published"))
        #expect(try await lab.client.getIfPresent(.secrets, name: "kubectl-certs-pending-slow-tls", namespace: namespace) != nil)

        let second = try await lab.issue(arguments)
        #expect(second.status == 0, "\(second.stderr)")
        #expect(second.stderr.contains("resuming order"))
        let secret = try await lab.secret("slow-tls", namespace)
        let leaf = try #require(try Certificate.parseChain(pem: String(decoding: secret.data["tls.crt"]!, as: UTF8.self)).first)
        #expect(leaf.matches(try PrivateKey(pem: String(decoding: secret.data["tls.key"]!, as: UTF8.self))))
        #expect(try await lab.client.getIfPresent(.secrets, name: "kubectl-certs-pending-slow-tls", namespace: namespace) == nil)
        try await LabDNS.waitUntilEmpty("_acme-challenge.\(name)")
        #expect(try LabDNS.txt("_acme-challenge.\(name)", at: lab.primary).isEmpty)
    }

    @Test func interruptedItRemovesItsRecordsAndExits130_AgainstLab() async throws {
        let lab = try IssueLab()
        let namespace = try await lab.namespace()
        let name = "\(IssueLab.label()).\(lab.zone)"
        let running = try lab.startIssue(["-d", name, "--secret", "stop-tls", "-n", namespace, "--dns", "rfc2136", "--propagation-wait", "60s"])
        #expect(try await running.waitFor("TXT published"))
        #expect(try LabDNS.txt("_acme-challenge.\(name)", at: lab.primary).count == 1)
        running.signal(SIGINT)
        #expect(await running.wait() == 130)
        #expect(running.stderr.contains("TXT removed"))
        #expect(try LabDNS.txt("_acme-challenge.\(name)", at: lab.primary).isEmpty)
        #expect(try await lab.client.getIfPresent(.secrets, name: "stop-tls", namespace: namespace) == nil)
    }

    @Test func onATerminalEachNameHasALineThatMovesThroughItsSteps_AgainstLab() async throws {
        let lab = try IssueLab()
        let namespace = try await lab.namespace()
        let base = "\(IssueLab.label()).\(lab.zone)"
        // `script` gives the command a terminal, as a person running it has.
        let command = (["kubectl", "certs", "issue", "-d", "'*.\(base)'", "-d", base, "--secret", "live-tls", "-n", namespace, "--dns", "rfc2136"] + lab.acmeFlags).joined(separator: " ")
        var environment = lab.environment
        environment["TERM"] = "xterm"
        let result = try await Subprocess.run("script", ["-qfec", command, "/dev/null"], environment: environment)
        #expect(result.status == 0, "\(result.stdout)")
        #expect(result.stdout.contains("\u{1B}[2A"), "the two-line block is redrawn in place")
        for name in ["*.\(base)", base] {
            #expect(result.stdout.contains("  \(name)"))
        }
        #expect(result.stdout.contains("TXT published, propagating"))
        #expect(result.stdout.contains("ns2.example.test ✓"))
        let lines = result.stdout.components(separatedBy: "\r\n")
        #expect(lines.filter { $0.contains("stored in Secret \(namespace)/live-tls") }.count >= 2)
    }

    @Test func aDryRunPlansWithoutOrderingOrWriting_AgainstLab() async throws {
        let lab = try IssueLab()
        let namespace = try await lab.namespace()
        let name = "\(IssueLab.label()).\(lab.zone)"
        let result = try await lab.issue(["-d", name, "--secret", "plan-tls", "-n", namespace, "--dns", "rfc2136", "--dry-run"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("in zone \(lab.zone)"))
        #expect(result.stdout.contains("plan-tls (would be created)"))
        #expect(result.stdout.contains("would be created") || result.stdout.contains("exists"))
        #expect(try await lab.client.getIfPresent(.secrets, name: "plan-tls", namespace: namespace) == nil)
    }
}
