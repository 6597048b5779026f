import DNS01
import Foundation
import Providers
import Testing

/// How a provider's variables are read — shown through the rfc2136 adapter, built by the
/// registry exactly as `issue` builds it.
@Suite struct ProviderSettingsTests {
    let secret = Data((0..<32).map { UInt8($0 * 7 % 256) }).base64EncodedString()

    func configure(local: [String: String] = [:], supplied: [String: String] = [:]) throws(ProviderError) -> ConfiguredProvider {
        try ConfiguredProvider(code: "rfc2136", environment: ProviderEnvironment(local: local, supplied: supplied, suppliedBy: supplied.isEmpty ? nil : "Secret team-a/dns"))
    }

    func rfc2136(_ configured: ConfiguredProvider) throws -> RFC2136Configuration {
        try #require(configured.provider as? RFC2136Provider).configuration
    }

    @Test func readsLegoVariablesAndUsesTheTuningOnes() throws {
        let configured = try configure(local: [
            "RFC2136_NAMESERVER": "127.0.0.2:5353", "RFC2136_TSIG_KEY": "k", "RFC2136_TSIG_SECRET": secret,
            "RFC2136_TSIG_ALGORITHM": "hmac-sha512.", "RFC2136_TTL": "61", "RFC2136_PROPAGATION_TIMEOUT": "90",
            "RFC2136_POLLING_INTERVAL": "1s", "RFC2136_DNS_TIMEOUT": "3s",
        ])
        let configuration = try rfc2136(configured)
        #expect(configuration.nameserver == DNSServer(host: "127.0.0.2", port: 5353))
        #expect(configuration.key?.name == "k")
        #expect(configuration.key?.algorithm == .hmacSHA512)
        #expect(configuration.updateTimeout == .seconds(3))
        #expect(configured.tuning == ProviderTuning(ttl: 61, propagationTimeout: .seconds(90), pollingInterval: .seconds(1)))
        // The records a solver publishes carry the TTL; its checker waits the provider's timeout
        // and polls no slower than its interval.
        let policy = configured.propagationPolicy()
        #expect(policy.timeout == .seconds(90))
        #expect(policy.backoff.maximum == .seconds(1))
    }

    @Test func defaultsComeFromPluginsJSON() throws {
        let configured = try configure(local: ["RFC2136_NAMESERVER": "127.0.0.2"])
        let entry = try #require(ProviderRegistry.catalog.entry(code: "rfc2136"))
        #expect(try rfc2136(configured).key == nil)
        #expect(configured.tuning == ProviderTuning(ttl: entry.defaults.ttl, propagationTimeout: entry.defaults.propagationTimeout, pollingInterval: entry.defaults.pollingInterval))
    }

    @Test func aFlagWinsOverTheProviderVariable() throws {
        let configured = try configure(local: ["RFC2136_NAMESERVER": "127.0.0.2", "RFC2136_PROPAGATION_TIMEOUT": "7m"])
        #expect(configured.propagationPolicy().timeout == .seconds(420))
        #expect(configured.propagationPolicy(timeout: .seconds(30)).timeout == .seconds(30))
        #expect(configured.propagationPolicy(fixedWait: .seconds(5)).mode == .fixedWait(.seconds(5)))
    }

    @Test func everyVariableMayComeFromAFileWhoseContentsAreNeverShown() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("settings-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let secretFile = directory.appendingPathComponent("secret"), serverFile = directory.appendingPathComponent("server"), ttlFile = directory.appendingPathComponent("ttl")
        try (secret + "\n").write(to: secretFile, atomically: true, encoding: .utf8)
        try "127.0.0.3\n".write(to: serverFile, atomically: true, encoding: .utf8)
        try "private contents of a file\n".write(to: ttlFile, atomically: true, encoding: .utf8)
        let configured = try configure(local: [
            "RFC2136_NAMESERVER_FILE": serverFile.path, "RFC2136_TSIG_KEY": "k", "RFC2136_TSIG_SECRET_FILE": secretFile.path,
        ])
        #expect(try rfc2136(configured).nameserver == DNSServer(host: "127.0.0.3"))
        #expect(try rfc2136(configured).key == TSIGKey(name: "k", algorithm: .hmacSHA256, secret: secret))

        let error = #expect(throws: ProviderError.self) {
            try configure(local: ["RFC2136_NAMESERVER": "127.0.0.3", "RFC2136_TTL_FILE": ttlFile.path])
        }
        #expect(error?.message.contains("RFC2136_TTL") == true)
        #expect(error?.message.contains("private contents") == false)
    }

    @Test func reportsEveryMissingVariableAtOnceWithWhereEachMayComeFrom() {
        let error = #expect(throws: ProviderError.self) { try configure(local: ["RFC2136_TSIG_KEY": "k"]) }
        let message = error?.message ?? ""
        #expect(error?.code == .configuration)
        #expect(message.hasPrefix("rfc2136: missing "))
        #expect(message.contains("RFC2136_NAMESERVER"))
        #expect(message.contains("RFC2136_TSIG_SECRET"))
        #expect(message.contains("NAME_FILE"))
    }

    @Test func reportsEveryBadValueAtOnceWithoutTheSecret() {
        let error = #expect(throws: ProviderError.self) {
            try configure(local: [
                "RFC2136_NAMESERVER": "127.0.0.2:x", "RFC2136_TSIG_KEY": "k", "RFC2136_TSIG_SECRET": "not base64 !!",
                "RFC2136_TSIG_ALGORITHM": "hmac-sha3", "RFC2136_TTL": "-1", "RFC2136_PROPAGATION_TIMEOUT": "soon",
                "RFC2136_POLLING_INTERVAL": "0", "RFC2136_DNS_TIMEOUT": "later",
            ])
        }
        let message = error?.message ?? ""
        for name in ["RFC2136_NAMESERVER", "RFC2136_TSIG_SECRET", "RFC2136_TSIG_ALGORITHM", "RFC2136_TTL", "RFC2136_PROPAGATION_TIMEOUT", "RFC2136_POLLING_INTERVAL", "RFC2136_DNS_TIMEOUT"] {
            #expect(message.contains(name), "\(name) not reported")
        }
        #expect(!message.contains("not base64 !!"))
    }

    @Test func suppliedValuesWinButMayNeverNameALocalFile() throws {
        let configured = try configure(local: ["RFC2136_NAMESERVER": "127.0.0.2"], supplied: ["RFC2136_NAMESERVER": "127.0.0.3"])
        #expect(try rfc2136(configured).nameserver == DNSServer(host: "127.0.0.3"))

        // A namespace user's Secret must not make the tool read (and echo) the operator's files.
        let error = #expect(throws: ProviderError.self) {
            try configure(supplied: ["RFC2136_NAMESERVER_FILE": "/etc/hostname", "RFC2136_TSIG_SECRET_FILE": "/etc/shadow"])
        }
        let message = error?.message ?? ""
        #expect(message.contains("RFC2136_NAMESERVER_FILE in Secret team-a/dns is refused"))
        #expect(message.contains("RFC2136_TSIG_SECRET_FILE in Secret team-a/dns is refused"))
        let hostname = (try? String(contentsOfFile: "/etc/hostname", encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines) ?? "\u{0}"
        #expect(!message.contains(hostname))
        #expect(message.contains("or a key of Secret team-a/dns"))
    }

    @Test func anUnknownProviderIsAConfigurationErrorListingTheKnownOnes() {
        let error = #expect(throws: ProviderError.self) { try ConfiguredProvider(code: "nope", environment: ProviderEnvironment()) }
        #expect(error?.code == .configuration)
        #expect(error?.message.contains("rfc2136") == true)
    }
}
