import DNS01
import Foundation
import Providers
import Testing

@Suite struct RFC2136ConfigurationTests {
    let secret = Data(repeating: 42, count: 32).base64EncodedString()

    @Test func readsLegoVariables() throws {
        let configuration = try RFC2136Configuration(environment: [
            "RFC2136_NAMESERVER": "127.0.0.2:5353", "RFC2136_TSIG_KEY": "k", "RFC2136_TSIG_SECRET": secret,
            "RFC2136_TSIG_ALGORITHM": "hmac-sha512.", "RFC2136_TTL": "60", "RFC2136_PROPAGATION_TIMEOUT": "90",
            "RFC2136_POLLING_INTERVAL": "1s",
        ])
        #expect(configuration.nameserver == DNSServer(host: "127.0.0.2", port: 5353))
        #expect(configuration.key?.name == "k")
        #expect(configuration.key?.algorithm == .hmacSHA512)
        #expect(configuration.ttl == 60)
        #expect(configuration.propagationTimeout == .seconds(90))
        #expect(configuration.pollingInterval == .seconds(1))
    }

    @Test func defaults() throws {
        let configuration = try RFC2136Configuration(environment: ["RFC2136_NAMESERVER": "127.0.0.2"])
        #expect(configuration.key == nil)
        #expect(configuration.ttl == 120)
        #expect(configuration.propagationTimeout == .seconds(300))
        #expect(configuration.pollingInterval == .seconds(2))
    }

    @Test func everyVariableMayComeFromAFile() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("rfc2136-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let secretFile = directory.appendingPathComponent("secret"), serverFile = directory.appendingPathComponent("server")
        try (secret + "\n").write(to: secretFile, atomically: true, encoding: .utf8)
        try "127.0.0.3\n".write(to: serverFile, atomically: true, encoding: .utf8)
        let configuration = try RFC2136Configuration(environment: [
            "RFC2136_NAMESERVER_FILE": serverFile.path, "RFC2136_TSIG_KEY": "k", "RFC2136_TSIG_SECRET_FILE": secretFile.path,
        ])
        #expect(configuration.nameserver == DNSServer(host: "127.0.0.3"))
        #expect(configuration.key == TSIGKey(name: "k", algorithm: .hmacSHA256, secret: secret))
    }

    @Test func reportsEveryMissingVariableAtOnce() {
        let error = #expect(throws: RFC2136Error.self) {
            try RFC2136Configuration(environment: ["RFC2136_TSIG_KEY": "k"])
        }
        let message = error?.message ?? ""
        #expect(message.hasPrefix("rfc2136: "))
        #expect(message.contains("RFC2136_NAMESERVER"))
        #expect(message.contains("RFC2136_TSIG_SECRET"))
    }

    @Test func reportsEveryBadValueAtOnceWithoutTheSecret() {
        let error = #expect(throws: RFC2136Error.self) {
            try RFC2136Configuration(environment: [
                "RFC2136_NAMESERVER": "127.0.0.2:x", "RFC2136_TSIG_KEY": "k", "RFC2136_TSIG_SECRET": "not base64 !!",
                "RFC2136_TSIG_ALGORITHM": "hmac-sha3", "RFC2136_TTL": "-1", "RFC2136_PROPAGATION_TIMEOUT": "soon",
            ])
        }
        let message = error?.message ?? ""
        for name in ["RFC2136_NAMESERVER", "RFC2136_TSIG_SECRET", "RFC2136_TSIG_ALGORITHM", "RFC2136_TTL", "RFC2136_PROPAGATION_TIMEOUT"] {
            #expect(message.contains(name), "\(name) not reported")
        }
        #expect(!message.contains("not base64 !!"))
    }
}
