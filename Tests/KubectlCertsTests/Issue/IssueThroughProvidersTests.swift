import CertCore
import Foundation
import TestSupport
import Testing

/// `kubectl certs issue` of a wildcard and its apex through each DNS provider that has a real
/// server on the lab, through the real kubectl, Pebble and the propagation checker.
@Suite(.lab) struct IssueThroughProvidersTests {
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

    /// What every issuance through a generic provider checks: the Secret covers exactly the two
    /// names, is annotated with the provider, and its chain verifies against this run's Pebble.
    func expectIssued(_ lab: IssueLab, _ secretName: String, _ namespace: String, base: String, provider: String) async throws {
        let secret = try await lab.secret(secretName, namespace)
        #expect(secret.annotations["kubectl-certs.io/dns-provider"] == provider)
        let leaf = try #require(try Certificate.parseChain(pem: String(decoding: secret.data["tls.crt"] ?? Data(), as: UTF8.self)).first)
        #expect(Set(leaf.dnsNames) == ["*.\(base)", base])
        #expect(try lab.verifyChain(secret))
    }

    /// The lab's own BIND key file for its TSIG key, as a hook script or service would use it.
    static func labKeyFile() throws -> String {
        Lab.directory.appendingPathComponent("dns/keys/\(try Lab.require("LAB_TSIG_KEY", component: "dns")).key").path
    }

    @Test(arguments: [false, true])
    func aWildcardAndItsApexThroughAnExecHookScript_AgainstLab(raw: Bool) async throws {
        let lab = try IssueLab()
        let namespace = try await lab.namespace()
        let base = "\(IssueLab.label()).\(lab.zone)"
        var environment = lab.environment.filter { !$0.key.hasPrefix("RFC2136_") }
        environment["EXEC_PATH"] = Lab.repositoryRoot.appendingPathComponent("lab/exec-hook/nsupdate_hook.sh").path
        // The script's own settings reach it through the environment, as lego's users give them.
        environment["HOOK_NAMESERVER"] = lab.primary
        environment["HOOK_ZONE"] = lab.zone
        environment["HOOK_KEY_FILE"] = try Self.labKeyFile()
        // RAW: the script gets the domain, token and key authorization and works out the rest.
        if raw { environment["EXEC_MODE"] = "RAW" }
        let result = try await Subprocess.run("kubectl", ["certs", "issue", "-d", "*.\(base)", "-d", base, "--secret", "exec-tls", "-n", namespace, "--dns", "exec", "-vv"] + lab.acmeFlags, environment: environment)
        #expect(result.status == 0, "\(result.stderr)")
        try await expectIssued(lab, "exec-tls", namespace, base: base, provider: "exec")
        let called = raw ? "-- \(base) " : "_acme-challenge.\(base). "
        #expect(result.stderr.contains("nsupdate_hook.sh present \(called)"), "the hook calls are not logged at -vv")
        #expect(result.stderr.contains("nsupdate_hook.sh cleanup \(called)"))
        #expect(try LabDNS.txt("_acme-challenge.\(base)", at: lab.primary).isEmpty, "challenge records left behind")
    }

    @Test(arguments: [false, true])
    func aWildcardAndItsApexThroughAnHTTPReqService_AgainstLab(raw: Bool) async throws {
        let lab = try IssueLab()
        let namespace = try await lab.namespace()
        let base = "\(IssueLab.label()).\(lab.zone)"
        let password = "httpreq-\(UUID().uuidString)"
        let service = try await ServerProcess("env", ["HTTPREQ_SERVER_PASSWORD=\(password)", "python3", Lab.repositoryRoot.appendingPathComponent("lab/httpreq-server/httpreq_server.py").path,
                                                "--zone", lab.zone, "--nameserver", lab.primary, "--key-file", try Self.labKeyFile(), "--username", "acme"])
        var environment = lab.environment.filter { !$0.key.hasPrefix("RFC2136_") }
        environment["HTTPREQ_ENDPOINT"] = "http://127.0.0.1:\(service.port)"
        environment["HTTPREQ_USERNAME"] = "acme"
        environment["HTTPREQ_PASSWORD"] = password
        if raw { environment["HTTPREQ_MODE"] = "RAW" }
        let result = try await Subprocess.run("kubectl", ["certs", "issue", "-d", "*.\(base)", "-d", base, "--secret", "httpreq-tls", "-n", namespace, "--dns", "httpreq", "-vv"] + lab.acmeFlags, environment: environment)
        #expect(result.status == 0, "\(result.stderr)")
        try await expectIssued(lab, "httpreq-tls", namespace, base: base, provider: "httpreq")
        func values(_ action: String) -> [String] {
            service.outputLines.filter { $0.hasPrefix("\(action) _acme-challenge.\(base). ") }.compactMap { $0.split(separator: " ").last.map(String.init) }
        }
        #expect(values("PRESENT").count == 2)
        // Every value presented was cleaned up, once.
        #expect(values("CLEANUP").sorted() == values("PRESENT").sorted())
        #expect(try LabDNS.txt("_acme-challenge.\(base)", at: lab.primary).isEmpty, "challenge records left behind")
        #expect(result.stderr.contains("httpreq: POST"), "the API calls are not logged at -vv")
        #expect(!result.stderr.contains(password) && !result.stdout.contains(password))
    }

    /// CNAME delegation to acme-dns: the lab's example.test has the fixed record
    /// `_acme-challenge.alias CNAME _acme-challenge.alias.delegated.test.` (its TSIG keys may add
    /// TXT records only), so the acme-dns server hands out subdomain `_acme-challenge.alias` of
    /// delegated.test at the registration, which the test makes with `POST /register` as acme-dns
    /// users do, saving the account in the storage file the way lego does.
    ///
    /// acme-dns cannot delete: the two values stay served until newer ones replace them (lego
    /// behaves the same), so instead of "nothing left behind" the test checks that the values
    /// served are exactly the two this issuance sent.
    @Test func aWildcardAndItsApexThroughACMEDNSByCNAME_AgainstLab() async throws {
        let lab = try IssueLab()
        let namespace = try await lab.namespace()
        let delegated = try Lab.require("LAB_DNS_DELEGATED_ZONE", component: "dns")
        let base = "alias.\(lab.zone)"
        let fulldomain = "_acme-challenge.alias.\(delegated)"
        let acmeDNS = try await ServerProcess("python3", [Lab.repositoryRoot.appendingPathComponent("lab/acme-dns-server/acme_dns_server.py").path,
                                                    "--zone", delegated, "--nameserver", lab.primary, "--key-file", try Self.labKeyFile(), "--next-subdomain", "_acme-challenge.alias"])
        let registration = try await Subprocess.run("curl", ["-sS", "-X", "POST", "http://127.0.0.1:\(acmeDNS.port)/register"])
        let account = try JSONValue.decode(Data(registration.stdout.utf8))
        #expect(account["fulldomain"]?.stringValue == fulldomain, "\(registration.stdout)")
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("acme-dns-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let storage = directory.appendingPathComponent("accounts.json")
        try JSONValue.object([base: account]).encoded().write(to: storage)

        var environment = lab.environment.filter { !$0.key.hasPrefix("RFC2136_") }
        environment["ACME_DNS_API_BASE"] = "http://127.0.0.1:\(acmeDNS.port)"
        environment["ACME_DNS_STORAGE_PATH"] = storage.path
        let result = try await Subprocess.run("kubectl", ["certs", "issue", "-d", "*.\(base)", "-d", base, "--secret", "acme-dns-tls", "-n", namespace, "--dns", "acme-dns", "-vv"] + lab.acmeFlags, environment: environment)
        #expect(result.status == 0, "\(result.stderr)")
        try await expectIssued(lab, "acme-dns-tls", namespace, base: base, provider: "acme-dns")
        let sent = acmeDNS.outputLines.filter { $0.hasPrefix("UPDATE _acme-challenge.alias ") }.compactMap { $0.split(separator: " ").last.map(String.init) }
        #expect(sent.count == 2, "\(acmeDNS.outputLines)")
        let served = try LabDNS.txt(fulldomain, at: lab.primary)
        // Both values stay (acme-dns cannot delete); other tests may publish at this name too.
        #expect(Set(sent).isSubset(of: Set(served)), "served \(served), sent \(sent)")
        #expect(result.stderr.contains("acme-dns has no delete"), "cleanup does not say why the values stay")
        #expect(!result.stderr.contains(account["password"]?.stringValue ?? "-") && !result.stdout.contains(account["password"]?.stringValue ?? "-"))
    }

    /// `manual` on a terminal: each record is shown, the test creates it (as the user would) and
    /// presses Enter; every nameserver is checked; each deletion is announced once, though the
    /// issue workflow cleans up twice.
    @Test func aWildcardAndItsApexThroughManualOnATerminal_AgainstLab() async throws {
        let lab = try IssueLab()
        let namespace = try await lab.namespace()
        let base = "\(IssueLab.label()).\(lab.zone)"
        let fqdn = "_acme-challenge.\(base)"
        let command = (["kubectl", "certs", "issue", "-d", "'*.\(base)'", "-d", base, "--secret", "manual-tls", "-n", namespace, "--dns", "manual"] + lab.acmeFlags).joined(separator: " ")
        let terminal = try PseudoTerminal(command, environment: lab.environment.filter { !$0.key.hasPrefix("RFC2136_") })
        var published: [String] = []
        defer { try? LabDNS.update(fqdn, values: published, remove: true) }
        for prompt in 1...2 {
            let output = try #require(await terminal.waitFor("Press Enter when it is in place", count: prompt), "prompt \(prompt) missing: \(terminal.output)")
            let lines = output.split(separator: "\n").filter { $0.contains("\(fqdn). 120 IN TXT \"") }
            let value = try #require(lines.last?.split(separator: "\"").dropFirst().first.map(String.init), "no record in \(output)")
            #expect(!published.contains(value))
            try LabDNS.update(fqdn, values: [value])
            published.append(value)
            try terminal.type("\n")
        }
        let status = await terminal.exitStatus()
        #expect(status == 0, "\(terminal.output)")
        try await expectIssued(lab, "manual-tls", namespace, base: base, provider: "manual")
        let announcements = terminal.output.components(separatedBy: "you may delete this TXT value").count - 1
        #expect(announcements == 2, "\(terminal.output)")
        for value in published {
            #expect(terminal.output.contains("\(fqdn). IN TXT \"\(value)\""))
        }
    }
}

/// The same through the stand-ins of hosted providers' APIs (lab/provider-apis), which publish
/// into the lab's BIND primary, and through a cert-manager Issuer using each built-in mapping.
@Suite(.lab) struct IssueThroughHostedProvidersTests {
    @Test func aWildcardAndItsApexThroughCloudflare_AgainstLab() async throws {
        let lab = try IssueLab()
        let token = "cf-\(UUID().uuidString)"
        let api = try await ProviderAPILab("cloudflare", credentials: ["token": token])
        let namespace = try await lab.namespace()
        let base = "\(IssueLab.label()).\(lab.zone)"
        var environment = lab.environment.filter { !$0.key.hasPrefix("RFC2136_") }.merging(api.trust) { $1 }
        environment["CLOUDFLARE_BASE_URL"] = api.baseURL + "/client/v4"
        environment["CLOUDFLARE_DNS_API_TOKEN"] = token
        let result = try await Subprocess.run("kubectl", ["certs", "issue", "-d", "*.\(base)", "-d", base, "--secret", "cf-tls", "-n", namespace, "--dns", "cloudflare"] + lab.acmeFlags, environment: environment)
        #expect(result.status == 0, "\(result.stderr)")
        let secret = try await lab.secret("cf-tls", namespace)
        #expect(secret.annotations["kubectl-certs.io/dns-provider"] == "cloudflare")
        #expect(try lab.verifyChain(secret))
        #expect(try LabDNS.txt("_acme-challenge.\(base)", at: lab.primary).isEmpty, "challenge records left behind")
        #expect(!result.stderr.contains(token) && !result.stdout.contains(token))
    }

    @Test func anIssuerWithACloudflareSolverIssuesThroughCertificate_AgainstLab() async throws {
        let lab = try IssueLab()
        let token = "cf-\(UUID().uuidString)"
        let api = try await ProviderAPILab("cloudflare", credentials: ["token": token])
        let namespace = try await lab.namespace()
        let base = "\(IssueLab.label()).\(lab.zone)"
        var tokenSecret = Secret(name: "cloudflare-token", namespace: namespace)
        tokenSecret.data = ["api-token": Data(token.utf8)]
        _ = try await lab.client.create(tokenSecret.object)
        let issuer: JSONValue = [
            "apiVersion": "cert-manager.io/v1", "kind": "Issuer",
            "metadata": ["name": "cf", "namespace": .string(namespace)],
            "spec": ["acme": [
                "server": .string(lab.pebble), "email": "certs@example.test",
                "privateKeySecretRef": ["name": "cf-account"],
                "solvers": [["dns01": ["cloudflare": ["apiTokenSecretRef": ["name": "cloudflare-token", "key": "api-token"]]]]],
            ]],
        ]
        _ = try await lab.client.create(KubernetesObject(json: issuer))
        let certificate: JSONValue = [
            "apiVersion": "cert-manager.io/v1", "kind": "Certificate",
            "metadata": ["name": "web", "namespace": .string(namespace)],
            "spec": ["secretName": "web-tls", "dnsNames": [.string("*.\(base)"), .string(base)], "issuerRef": ["name": "cf", "kind": "Issuer"]],
        ]
        _ = try await lab.client.create(KubernetesObject(json: certificate))
        // The base URL and trust are the stand-in's; the credentials come from the Issuer alone.
        var environment = lab.environment.filter { !$0.key.hasPrefix("RFC2136_") }.merging(api.trust) { $1 }
        environment["CLOUDFLARE_BASE_URL"] = api.baseURL + "/client/v4"
        let result = try await Subprocess.run("kubectl", ["certs", "issue", "certificate/web", "-n", namespace] + lab.acmeFlags, environment: environment)
        #expect(result.status == 0, "\(result.stderr)")
        let secret = try await lab.secret("web-tls", namespace)
        #expect(try lab.verifyChain(secret))
        #expect(try LabDNS.txt("_acme-challenge.\(base)", at: lab.primary).isEmpty)
        #expect(!result.stderr.contains(token))
    }
}
