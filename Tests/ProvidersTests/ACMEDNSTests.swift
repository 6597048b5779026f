import CertCore
import DNS01
import Foundation
import Providers
import TestSupport
import Testing

/// The acme-dns adapter against an acme-dns server (lab/acme-dns-server/acme_dns_server.py:
/// its documented API, publishing in the lab's delegated.test zone by RFC 2136).
@Suite(.lab) struct ACMEDNSTests {
    func server(_ lab: NSUpdateLab, nextSubdomain: String? = nil) async throws -> ServerProcess {
        try await ServerProcess("python3", [NSUpdateLab.server("acme-dns-server/acme_dns_server.py"), "--zone", lab.delegatedZone, "--nameserver", lab.primary, "--key-file", lab.keyFile]
                          + (nextSubdomain.map { ["--next-subdomain", $0] } ?? []))
    }

    /// A value acme-dns accepts (43 characters of base64url, like a real challenge value) made from `text`.
    static func value(_ text: String) -> String {
        String((text.replacingOccurrences(of: ".", with: "-") + String(repeating: "0", count: 43)).prefix(43))
    }

    /// Registers an account for `domain` through the adapter, as a first run does, and returns
    /// the storage file and the account's JSON.
    func register(_ domain: String, at server: ServerProcess) async throws -> (storage: String, account: JSONValue) {
        let storage = NSUpdateLab.temporaryDirectory().appendingPathComponent("acme-dns.json").path
        let provider = try configuredProvider(["ACME_DNS_API_BASE": "http://127.0.0.1:\(server.port)", "ACME_DNS_STORAGE_PATH": storage], code: "acme-dns")
        await #expect(throws: ProviderError.self) {
            try await provider.present(ChallengeRecord(fqdn: "_acme-challenge.\(domain)", zone: domain, value: Self.value("register"), ttl: 60))
        }
        let saved = try JSONValue.decode(try Data(contentsOf: URL(fileURLWithPath: storage)))
        return (storage, try #require(saved[domain]))
    }

    /// What `body` threw, if anything.
    static func error(_ body: () async throws -> Void) async -> (any Error)? {
        do {
            try await body()
            return nil
        } catch {
            return error
        }
    }

    @Test func conformance_AgainstBINDAndKnot() async throws {
        let lab = try NSUpdateLab()
        let server = try await server(lab)
        let (storage, account) = try await register("conformance.\(lab.zone)", at: server)
        let fulldomain = try #require(account["fulldomain"]?.stringValue)
        var wrongAccounts = try JSONValue.decode(try Data(contentsOf: URL(fileURLWithPath: storage)))
        let wrongPassword = "not-the-password-\(UUID().uuidString)"
        wrongAccounts["conformance.\(lab.zone)"]?["password"] = .string(wrongPassword)
        let environment = ["ACME_DNS_API_BASE": "http://127.0.0.1:\(server.port)", "ACME_DNS_STORAGE_PATH": storage]
        let wrong = ["ACME_DNS_API_BASE": "http://127.0.0.1:\(server.port)", "ACME_DNS_ACCOUNTS_JSON": String(decoding: wrongAccounts.encoded(), as: UTF8.self)]
        try await runProviderConformance(
            makeProvider: { try configuredProvider(environment, code: "acme-dns") },
            makeWrongProvider: { try configuredProvider(wrong, code: "acme-dns") },
            makeUnreachableProvider: { try configuredProvider(environment.merging(["ACME_DNS_API_BASE": "http://127.0.0.9:1"]) { $1 }, code: "acme-dns") },
            zone: lab.delegatedZone,
            nameservers: try RFC2136Lab().nameservers,
            isClearCredentialError: { $0.hasPrefix("acme-dns: ") && $0.contains("401") && $0.contains("unauthorized") && !$0.contains(wrongPassword) },
            value: Self.value,
            fqdn: fulldomain,
            cleanupRemoves: false)
    }

    @Test func aMissingAccountIsRegisteredOnceSavedPrivatelyAndTheCNAMEIsNamed_AgainstBIND() async throws {
        let lab = try NSUpdateLab()
        let server = try await server(lab)
        let domain = "\(uniqueLabel("reg")).\(lab.zone)"
        let storage = NSUpdateLab.temporaryDirectory().appendingPathComponent("accounts.json").path
        let provider = try configuredProvider(["ACME_DNS_API_BASE": "http://127.0.0.1:\(server.port)", "ACME_DNS_STORAGE_PATH": storage], code: "acme-dns")
        // Wildcard and apex: two values at one name at the same moment.
        let apex = ChallengeRecord(fqdn: "_acme-challenge.\(domain)", zone: lab.zone, value: Self.value("apex"), ttl: 60)
        let wildcard = ChallengeRecord(fqdn: "_acme-challenge.\(domain)", zone: lab.zone, value: Self.value("wildcard"), ttl: 60)
        async let first = Self.error { try await provider.present(apex) }
        async let second = Self.error { try await provider.present(wildcard) }
        let outcomes = await [first, second]
        #expect(server.outputLines.filter { $0.hasPrefix("REGISTER ") }.count == 1, "\(server.outputLines)")

        let saved = try JSONValue.decode(try Data(contentsOf: URL(fileURLWithPath: storage)))
        let fulldomain = try #require(saved[domain]?["fulldomain"]?.stringValue)
        #expect(saved[domain]?["username"]?.stringValue?.isEmpty == false && saved[domain]?["password"]?.stringValue?.isEmpty == false)
        let mode = try FileManager.default.attributesOfItem(atPath: storage)[.posixPermissions] as? Int
        #expect(mode == 0o600)
        for outcome in outcomes {
            guard let error = outcome as? ProviderError else {
                Issue.record("a present without the CNAME in place did not fail as expected: \(String(describing: outcome))")
                continue
            }
            #expect(error.code == .configuration)
            #expect(error.message.contains("_acme-challenge.\(domain). CNAME \(fulldomain)."), "\(error.message)")
            #expect(!error.message.contains(saved[domain]?["password"]?.stringValue ?? "-"))
        }
        // Nothing was published where the CNAME should lead.
        #expect(!server.outputLines.contains { $0.hasPrefix("UPDATE ") })
    }

    @Test func aThirdLiveValueAtOneSubdomainIsRefusedAndTheTwoStay_AgainstBINDAndKnot() async throws {
        let lab = try NSUpdateLab()
        let server = try await server(lab)
        let (storage, account) = try await register("third.\(lab.zone)", at: server)
        let fulldomain = DNSName.normalized(try #require(account["fulldomain"]?.stringValue))
        let provider = try configuredProvider(["ACME_DNS_API_BASE": "http://127.0.0.1:\(server.port)", "ACME_DNS_STORAGE_PATH": storage], code: "acme-dns")
        let records = ["one", "two", "three"].map { ChallengeRecord(fqdn: fulldomain, zone: lab.delegatedZone, value: Self.value("\($0)-\(UUID().uuidString)"), ttl: 60) }
        try await provider.present(records[0])
        try await provider.present(records[1])
        let error = await #expect(throws: ProviderError.self) { try await provider.present(records[2]) }
        #expect(error?.code == .rejected)
        #expect(error?.message.contains("acme-dns keeps only the two newest values of subdomain") == true, "\(error?.message ?? "")")
        #expect(error?.message.contains(records[0].value) == true && error?.message.contains(records[1].value) == true)
        // Presenting a live value again sends nothing (it would push out the other one).
        try await provider.present(records[0])
        #expect(server.outputLines.filter { $0.hasPrefix("UPDATE ") }.count == 2)
        try await LabDNS.waitUntilServed(fulldomain, values: [records[0].value, records[1].value])

        // Once one is cleaned up, a new value may take its place.
        try await provider.cleanUp(records[0])
        try await provider.present(records[2])
        try await LabDNS.waitUntilServed(fulldomain, values: [records[1].value, records[2].value])
        #expect(try LabDNS.txt(fulldomain, at: lab.primary).sorted() == [records[1].value, records[2].value].sorted())
    }

    @Test func anAccountWhoseCNAMEIsMissingIsNamedWithTheRecordToCreate_AgainstBIND() async throws {
        let lab = try NSUpdateLab()
        let server = try await server(lab)
        let domain = "nocname.\(lab.zone)"
        let (storage, account) = try await register(domain, at: server)
        let provider = try configuredProvider(["ACME_DNS_API_BASE": "http://127.0.0.1:\(server.port)", "ACME_DNS_STORAGE_PATH": storage], code: "acme-dns")
        let error = await #expect(throws: ProviderError.self) {
            try await provider.present(ChallengeRecord(fqdn: "_acme-challenge.\(domain)", zone: lab.zone, value: Self.value("again"), ttl: 60))
        }
        #expect(error?.code == .configuration)
        #expect(error?.message.contains("does not lead there; create this record in \(domain)'s DNS, then run again: _acme-challenge.\(domain). CNAME \(account["fulldomain"]?.stringValue ?? "?").") == true, "\(error?.message ?? "")")
        #expect(server.outputLines.filter { $0.hasPrefix("REGISTER ") }.count == 1)
    }

    @Test func certManagersAcmeDNSSolverGivesTheAccountsInline() async throws {
        let accounts = #"{"example.com": {"username": "u1", "password": "p-secret-1", "fulldomain": "abc.auth.example.org", "subdomain": "abc", "allowfrom": []}}"#
        let context = CertManagerSolverContext(issuer: "ClusterIssuer acme", secretNamespace: "cert-manager") { name, key in
            #expect(name == "acme-dns" && key == "acmedns.json")
            return accounts
        }
        let solver: JSONValue = ["host": "https://auth.example.org", "accountSecretRef": ["name": "acme-dns", "key": "acmedns.json"]]
        let (code, variables) = try await ProviderRegistry.variables(forCertManagerSolver: "acmeDNS", solver: solver, context: context)
        #expect(code == "acme-dns")
        #expect(variables == ["ACME_DNS_API_BASE": "https://auth.example.org", "ACME_DNS_ACCOUNTS_JSON": accounts])
        // Accepted from an issuer, as no local file is named.
        _ = try ConfiguredProvider(code: code, environment: ProviderEnvironment(supplied: variables, suppliedBy: "ClusterIssuer acme"))
    }

    @Test func theServerAndTheAccountsAreBothNeeded() {
        let error = #expect(throws: ProviderError.self) { try configuredProvider(["ACME_DNS_PROPAGATION_TIMEOUT": "1m"], code: "acme-dns") }
        #expect(error?.message.contains("missing ACME_DNS_API_BASE, ACME_DNS_STORAGE_PATH (or ACME_DNS_ACCOUNTS_JSON)") == true, "\(error?.message ?? "")")
    }

    @Test func aStoragePathFromASecretIsRefused() {
        let environment = ProviderEnvironment(supplied: ["ACME_DNS_API_BASE": "https://auth.example.org", "ACME_DNS_STORAGE_PATH": "/etc/passwd"], suppliedBy: "Secret team/dns")
        let error = #expect(throws: ProviderError.self) { try ConfiguredProvider(code: "acme-dns", environment: environment) }
        #expect(error?.message.contains("ACME_DNS_STORAGE_PATH in Secret team/dns is refused") == true, "\(error?.message ?? "")")
    }

    @Test func inlineAccountsCannotRegisterAndNeverShowAPassword() async throws {
        let accounts = #"{"example.com": {"username": "u1", "password": "p-secret-2", "fulldomain": "abc.auth.example.org", "subdomain": "abc"}}"#
        let provider = try configuredProvider(["ACME_DNS_API_BASE": "http://127.0.0.9:1", "ACME_DNS_ACCOUNTS_JSON": accounts], code: "acme-dns")
        let error = await #expect(throws: ProviderError.self) {
            try await provider.present(ChallengeRecord(fqdn: "_acme-challenge.other.example.net", zone: "example.net", value: Self.value("x"), ttl: 60))
        }
        // Nothing is registered (the account could not be kept): no request is even tried.
        #expect(error?.code == .configuration)
        #expect(error?.message.contains("there is no account for other.example.net in ACME_DNS_ACCOUNTS_JSON") == true, "\(error?.message ?? "")")
        #expect(error?.message.contains("p-secret-2") == false)
        let malformed = try configuredProvider(["ACME_DNS_API_BASE": "http://127.0.0.9:1", "ACME_DNS_ACCOUNTS_JSON": #"{"example.com": {"password": "p-secret-3"}}"#], code: "acme-dns")
        let incomplete = await #expect(throws: ProviderError.self) {
            try await malformed.present(ChallengeRecord(fqdn: "_acme-challenge.example.com", zone: "example.com", value: Self.value("y"), ttl: 60))
        }
        #expect(incomplete?.message == "acme-dns: the account for example.com in ACME_DNS_ACCOUNTS_JSON lacks one of username, password, fulldomain, subdomain")
    }
}
