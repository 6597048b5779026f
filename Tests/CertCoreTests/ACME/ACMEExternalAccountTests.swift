import CertCore
import Foundation
import TestSupport
import Testing

/// External account binding against a Pebble of the test's own that requires it (the lab's
/// Pebble does not), with the lab CA's server certificate.
@Suite(.lab) struct ACMEExternalAccountTests {
    @Test func anAccountNeedsAValidBinding_AgainstPebble() async throws {
        let caDirectory = URL(fileURLWithPath: try Lab.require("LAB_CA_BUNDLE", component: "pebble")).deletingLastPathComponent()
        let hmacKey = Data((0..<32).map { _ in UInt8.random(in: 0...255) })
        let port = Int.random(in: 20000...29000)
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("pebble-eab-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let config = dir.appendingPathComponent("pebble.json")
        try """
        {"pebble": {"listenAddress": "127.0.0.1:\(port)", "managementListenAddress": "127.0.0.1:\(port + 1)",
          "certificate": "\(caDirectory.appendingPathComponent("localhost.pem").path)",
          "privateKey": "\(caDirectory.appendingPathComponent("localhost-key.pem").path)",
          "httpPort": \(port + 2), "tlsPort": \(port + 3), "ocspResponderURL": "",
          "externalAccountBindingRequired": true,
          "externalAccountMACKeys": {"kid-1": "\(Base64URL.encode(hmacKey))"}}}
        """.write(to: config, atomically: true, encoding: .utf8)
        let pebble = try SpawnedProcess(
            "pebble", arguments: ["-config", config.path, "-strict"],
            environment: ProcessInfo.processInfo.environment.merging(["PEBBLE_WFE_NONCEREJECT": "0"]) { $1 },
            stdout: .null, stderr: .null)
        defer { pebble.signal(SIGTERM); pebble.waitUntilExit() }

        let pem = try #require(FileManager.default.contents(atPath: caDirectory.appendingPathComponent("ca.pem").path))
        let http = try HTTPClient(configuration: HTTPClientConfiguration(trust: .only(pem: pem)))
        let server = try ACMEServer("https://127.0.0.1:\(port)/dir")
        var client: ACMEClient?
        for _ in 0..<100 where client == nil {
            client = try? await ACMEClient.connect(to: server, accountKey: try PrivateKey.generate(.ec256), http: http)
            if client == nil { try await Task.sleep(for: .milliseconds(100)) }
        }
        let acme = try #require(client, "the test's Pebble did not start")
        #expect(acme.directory.externalAccountRequired)

        let missing = await #expect(throws: ACMEError.self) { try await acme.register(contact: [], termsOfServiceAgreed: true) }
        #expect(missing?.description.contains("--eab-kid") == true)

        let wrong = ExternalAccountBinding(keyID: "kid-1", hmacKey: Data(repeating: 7, count: 32))
        let refused = await #expect(throws: ACMEError.self) { try await acme.register(contact: [], termsOfServiceAgreed: true, externalAccountBinding: wrong) }
        #expect(refused?.kind == .problem)

        let account = try await acme.register(contact: ["mailto:eab@example.org"], termsOfServiceAgreed: true,
                                              externalAccountBinding: try ExternalAccountBinding(keyID: "kid-1", encodedHMACKey: Base64URL.encode(hmacKey) + "\n"))
        #expect(account.status == "valid")
        #expect(!account.url.isEmpty)
    }
}
