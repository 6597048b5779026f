import CertCore
import Foundation
import TestSupport
import Testing

/// RFC 9773 renewal information against a local stub (lab/ari-stub/ari_stub_server.py):
/// Pebble 2.4 has none. The stub computes certificate identifiers itself and checks every
/// JWS signature and nonce.
@Suite(.lab) struct ACMERenewalInfoTests {
    let script = Lab.repositoryRoot.appendingPathComponent("lab/ari-stub/ari_stub_server.py").path

    @Test(arguments: ["0a1b2c3d4e5f", "8f00112233445566778899"])
    func theCertificateIdentifierMatchesTheServers(serial: String) async throws {
        let pki = try TestPKI()
        let issued = try pki.server("leaf", dnsNames: ["ari.example.test"], serial: serial)
        let stub = try await ServerProcess("python3", [script, "--cert", issued.certificatePath])
        let certificate = try #require(try Certificate.parseChain(pem: String(decoding: issued.certificatePEM, as: UTF8.self)).first)
        let client = try await ACMEClient.connect(to: try ACMEServer("http://127.0.0.1:\(stub.port)/dir"), accountKey: try PrivateKey.generate(.ec256), http: try HTTPClient())

        let info = try #require(try await client.renewalInfo(for: certificate))
        #expect(info.windowStart < info.windowEnd)
        #expect(info.windowStart > Date())
        #expect(info.explanationURL?.hasSuffix("/why") == true)
        let retryAfter = try #require(info.retryAfter)
        #expect(abs(retryAfter.timeIntervalSinceNow - 21600) < 60)
        let chosen = info.randomTimeInWindow()
        #expect(chosen >= info.windowStart && chosen <= info.windowEnd)
        if serial.hasPrefix("8") {
            // A serial whose top bit is set is encoded with a leading zero byte.
            #expect(try ACMEClient.certificateIdentifier(certificate).split(separator: ".")[1].hasPrefix("AI8A"))
        }
    }

    @Test func anOrderCarriesReplacesAndFallsBackWhenAlreadyReplaced() async throws {
        let pki = try TestPKI()
        let issued = try pki.server("leaf", dnsNames: ["ari.example.test"])
        let certificate = try #require(try Certificate.parseChain(pem: String(decoding: issued.certificatePEM, as: UTF8.self)).first)
        let identifier = try ACMEClient.certificateIdentifier(certificate)
        let stub = try await ServerProcess("python3", [script, "--cert", issued.certificatePath, "--already-replaced", "old.replaced"])
        let http = try HTTPClient()
        let client = try await ACMEClient.connect(to: try ACMEServer("http://127.0.0.1:\(stub.port)/dir"), accountKey: try PrivateKey.generate(.ec256), http: http)
        _ = try await client.register(contact: [], termsOfServiceAgreed: true)

        let renewing = try await client.newOrder(identifiers: [.dns("ari.example.test")], replaces: identifier)
        #expect(renewing.replaces == identifier)
        let fallback = try await client.newOrder(identifiers: [.dns("ari.example.test")], replaces: "old.replaced")
        #expect(fallback.replaces == nil)

        let stats = try await http.send(HTTPRequest(url: "http://127.0.0.1:\(stub.port)/stats"))
        let seen = try JSONSerialization.jsonObject(with: stats.body) as? [String: [Any]]
        let replaces = try #require(seen?["replaces"]).map { $0 as? String }
        #expect(replaces == [identifier, "old.replaced", nil])
    }
}
