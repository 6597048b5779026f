import DNS01
import Foundation
import Providers
import TestSupport
import Testing

@Suite(.lab) struct RFC2136Tests {
    static let wrongSecret = Data(repeating: 7, count: 32).base64EncodedString()

    func conformance(zone: String, primary: String, keyVariable: String = "LAB_TSIG_KEY", secretVariable: String = "LAB_TSIG_SECRET", algorithm: String = "hmac-sha256") async throws {
        let lab = try RFC2136Lab()
        let environment = try lab.environment(primary: primary, keyVariable: keyVariable, secretVariable: secretVariable, algorithm: algorithm)
        var wrong = environment
        wrong["RFC2136_TSIG_SECRET"] = Self.wrongSecret
        try await runProviderConformance(
            makeProvider: { try configuredProvider(environment) },
            makeWrongProvider: { try configuredProvider(wrong) },
            makeUnreachableProvider: { try configuredProvider(environment.merging(["RFC2136_NAMESERVER": "127.0.0.9:53", "RFC2136_DNS_TIMEOUT": "1s"]) { $1 }) },
            zone: zone,
            nameservers: lab.nameservers,
            isClearCredentialError: { $0.hasPrefix("rfc2136: ") && $0.contains("BADSIG") && $0.contains("check RFC2136_TSIG_SECRET") })
    }

    @Test func conformance_AgainstBIND() async throws {
        let lab = try RFC2136Lab()
        try await conformance(zone: try Lab.require("LAB_DNS_ZONE", component: "dns"), primary: lab.primary)
    }

    @Test func conformance_AgainstKnot() async throws {
        let lab = try RFC2136Lab()
        try await conformance(zone: try Lab.require("LAB_DNS_KNOT_ZONE", component: "dns"), primary: lab.secondary)
    }

    @Test(arguments: [
        ("LAB_TSIG_SHA512_KEY", "LAB_TSIG_SHA512_SECRET", "hmac-sha512"),
        ("LAB_TSIG_SHA1_KEY", "LAB_TSIG_SHA1_SECRET", "hmac-sha1"),
        ("LAB_TSIG_MD5_KEY", "LAB_TSIG_MD5_SECRET", "hmac-md5"),
    ])
    func otherAlgorithms_AgainstBIND(key: String, secret: String, algorithm: String) async throws {
        let lab = try RFC2136Lab()
        try await conformance(zone: try Lab.require("LAB_DNS_ZONE", component: "dns"), primary: lab.primary, keyVariable: key, secretVariable: secret, algorithm: algorithm)
    }

    @Test(arguments: [
        ("LAB_TSIG_SHA512_KEY", "LAB_TSIG_SHA512_SECRET", "hmac-sha512"),
        ("LAB_TSIG_SHA1_KEY", "LAB_TSIG_SHA1_SECRET", "hmac-sha1"),
        ("LAB_TSIG_MD5_KEY", "LAB_TSIG_MD5_SECRET", "hmac-md5"),
    ])
    func otherAlgorithms_AgainstKnot(key: String, secret: String, algorithm: String) async throws {
        let lab = try RFC2136Lab()
        try await conformance(zone: try Lab.require("LAB_DNS_KNOT_ZONE", component: "dns"), primary: lab.secondary, keyVariable: key, secretVariable: secret, algorithm: algorithm)
    }

    @Test func wrongSecretIsBADSIGWithoutTheSecret_AgainstBIND() async throws {
        let lab = try RFC2136Lab()
        var environment = try lab.environment(primary: lab.primary)
        environment["RFC2136_TSIG_SECRET"] = Self.wrongSecret
        let zone = try Lab.require("LAB_DNS_ZONE", component: "dns")
        let provider = try configuredProvider(environment)
        let error = await #expect(throws: ProviderError.self) {
            try await provider.present(ChallengeRecord(fqdn: "_acme-challenge.badsig.\(zone)", zone: zone, value: "v", ttl: 60))
        }
        let message = error?.message ?? ""
        #expect(message.hasPrefix("rfc2136: "))
        #expect(message.contains("BADSIG"))
        #expect(message.contains("check RFC2136_TSIG_SECRET"))
        #expect(!message.contains(Self.wrongSecret))
        #expect(!message.contains(try Lab.require("LAB_TSIG_SECRET", component: "dns")))
    }

    @Test(arguments: ["LAB_DNS_ZONE", "LAB_DNS_KNOT_ZONE"])
    func unknownKeyIsBADKEY_AgainstBINDAndKnot(zoneVariable: String) async throws {
        let lab = try RFC2136Lab()
        let zone = try Lab.require(zoneVariable, component: "dns")
        var environment = try lab.environment(primary: zoneVariable == "LAB_DNS_KNOT_ZONE" ? lab.secondary : lab.primary)
        environment["RFC2136_TSIG_KEY"] = "no-such-key"
        let provider = try configuredProvider(environment)
        let error = await #expect(throws: ProviderError.self) {
            try await provider.present(ChallengeRecord(fqdn: "_acme-challenge.badkey.\(zone)", zone: zone, value: "v", ttl: 60))
        }
        let message = error?.message ?? ""
        #expect(message.hasPrefix("rfc2136: "))
        #expect(message.contains("BADKEY"))
        #expect(message.contains("RFC2136_TSIG_KEY"))
    }

    @Test func wrongSecretIsBADSIG_AgainstKnot() async throws {
        let lab = try RFC2136Lab()
        var environment = try lab.environment(primary: lab.secondary)
        environment["RFC2136_TSIG_SECRET"] = Self.wrongSecret
        let zone = try Lab.require("LAB_DNS_KNOT_ZONE", component: "dns")
        let provider = try configuredProvider(environment)
        let error = await #expect(throws: ProviderError.self) {
            try await provider.present(ChallengeRecord(fqdn: "_acme-challenge.badsig.\(zone)", zone: zone, value: "v", ttl: 60))
        }
        #expect(error?.message.contains("BADSIG") == true)
        #expect(error?.message.contains("check RFC2136_TSIG_SECRET") == true)
    }

    @Test func updateToANonPrimaryIsExplained_AgainstKnot() async throws {
        // Knot is only a secondary for example.test: the update is refused or not authoritative.
        let lab = try RFC2136Lab()
        let zone = try Lab.require("LAB_DNS_ZONE", component: "dns")
        let provider = try configuredProvider(try lab.environment(primary: lab.secondary))
        let error = await #expect(throws: ProviderError.self) {
            try await provider.present(ChallengeRecord(fqdn: "_acme-challenge.secondary.\(zone)", zone: zone, value: "v", ttl: 60))
        }
        let message = error?.message ?? ""
        #expect(message.hasPrefix("rfc2136: "))
        #expect(message.contains("RFC2136_NAMESERVER") || message.contains("RFC2136_TSIG_KEY"))
    }

    @Test func unsignedUpdateIsRefusedWithAHint_AgainstBIND() async throws {
        let lab = try RFC2136Lab()
        let zone = try Lab.require("LAB_DNS_ZONE", component: "dns")
        let provider = try configuredProvider(["RFC2136_NAMESERVER": "\(lab.primary):\(lab.port)"])
        let error = await #expect(throws: ProviderError.self) {
            try await provider.present(ChallengeRecord(fqdn: "_acme-challenge.unsigned.\(zone)", zone: zone, value: "v", ttl: 60))
        }
        let message = error?.message ?? ""
        #expect(message.hasPrefix("rfc2136: "))
        #expect(message.contains("REFUSED"))
        #expect(message.contains("RFC2136_TSIG_KEY"))
    }
}
