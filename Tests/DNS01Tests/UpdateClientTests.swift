import DNS01
import Foundation
import TestSupport
import Testing

@Suite(.lab) struct UpdateClientTests {
    @Test func addKeepsOtherValuesAndDeleteRemovesExactlyOne_AgainstBIND() async throws {
        let lab = try LabDNS()
        let name = "_acme-challenge.\(uniqueLabel("upd")).\(lab.zone)"
        let updater = lab.updater(for: lab.zone)
        try await updater.addTXT(name: name, value: "first", ttl: 60, zone: lab.zone)
        try await updater.addTXT(name: name, value: "second", ttl: 60, zone: lab.zone)
        #expect(try await lab.txtValues(at: name, on: lab.primary) == ["first", "second"])
        try await updater.deleteTXT(name: name, value: "first", zone: lab.zone)
        #expect(try await lab.txtValues(at: name, on: lab.primary) == ["second"])
        try await updater.deleteTXT(name: name, value: "second", zone: lab.zone)
        #expect(try await lab.txtValues(at: name, on: lab.primary) == [])
    }

    @Test func wrongSecretIsBADSIG_AgainstBIND() async throws {
        let lab = try LabDNS()
        let wrong = TSIGKey(name: lab.key.name, algorithm: lab.key.algorithm, secret: Data(repeating: 7, count: 32).base64EncodedString())
        let updater = DNSUpdateClient(server: lab.primary, key: wrong)
        let error = await #expect(throws: DNSError.self) {
            try await updater.addTXT(name: "_acme-challenge.badsig.\(lab.zone)", value: "x", ttl: 60, zone: lab.zone)
        }
        #expect(error?.tsigError == 16)
        #expect(error?.message.contains("BADSIG") == true)
    }

    @Test func unknownKeyIsBADKEY_AgainstBIND() async throws {
        let lab = try LabDNS()
        let unknown = TSIGKey(name: "no-such-key", algorithm: .hmacSHA256, secret: Data(repeating: 7, count: 32).base64EncodedString())
        let updater = DNSUpdateClient(server: lab.primary, key: unknown)
        let error = await #expect(throws: DNSError.self) {
            try await updater.addTXT(name: "_acme-challenge.badkey.\(lab.zone)", value: "x", ttl: 60, zone: lab.zone)
        }
        #expect(error?.tsigError == 17)
        #expect(error?.message.contains("BADKEY") == true)
    }
}
