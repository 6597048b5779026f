import CertCore
import Foundation
import TestSupport
import Testing

/// The ACME client against the lab's Pebble: `-strict`, half of all nonces rejected, real
/// DNS-01 validation through the lab's recursive resolver and BIND/Knot.
@Suite(.lab) struct ACMEAgainstPebbleTests {
    @Test func twentyOrdersSucceedDespiteNonceRejection_AgainstPebble() async throws {
        let lab = try PebbleLab()
        #expect(try Lab.require("LAB_PEBBLE_NONCE_REJECT", component: "pebble") == "50")
        let root = try await lab.root(0)
        let client = try await lab.newAccount()
        // Five lanes of four orders in a row: twenty orders, each with fresh names.
        let issued = try await withThrowingTaskGroup(of: [PebbleLab.Issued].self) { group in
            for lane in 0..<5 {
                group.addTask {
                    var results: [PebbleLab.Issued] = []
                    for _ in 0..<4 {
                        let name = PebbleLab.uniqueName()
                        let keyType: KeyType = [.ec256, .ec384, .rsa2048, .ec256, .ec256][lane]
                        results.append(try await lab.issue(client, names: [name, "*." + name], keyType: keyType))
                    }
                    return results
                }
            }
            return try await group.reduce(into: []) { $0 += $1 }
        }
        #expect(issued.count == 20)
        for result in issued {
            let leaf = result.chain.leaf
            #expect(leaf.matches(result.key))
            #expect(leaf.dnsNames.count == 2)
            #expect(leaf.dnsNames.contains { $0.hasPrefix("*.") })
            #expect(result.challengesAnswered == 2)
            try ChainVerifier.verify(chain: result.chain.certificates, roots: [root])
            try OpenSSLVerify.check(chain: result.chain, root: root)
        }
    }

    @Test func thePreferredChainIsChosen_AgainstPebble() async throws {
        let lab = try PebbleLab()
        let alternates = Int(try Lab.require("LAB_PEBBLE_ALTERNATE_ROOTS", component: "pebble")) ?? 0
        try #require(alternates >= 1, "the lab's Pebble must offer alternate roots")
        let alternateRoot = try await lab.root(1)
        let preferred = try #require(alternateRoot.subjectCommonName)
        let client = try await lab.newAccount()
        let name = PebbleLab.uniqueName()

        let defaultChain = try await lab.issue(client, names: [name]).chain
        #expect(defaultChain.topIssuerCommonName != preferred)

        let chosen = try await lab.issue(client, names: [PebbleLab.uniqueName()], preferredChain: preferred).chain
        #expect(chosen.topIssuerCommonName == preferred)
        try ChainVerifier.verify(chain: chosen.certificates, roots: [alternateRoot])
    }

    @Test func validAuthorizationsAreReusedWithoutAChallenge_AgainstPebble() async throws {
        let lab = try PebbleLab()
        #expect(try Lab.require("LAB_PEBBLE_AUTHZ_REUSE", component: "pebble") == "100")
        let client = try await lab.newAccount()
        let name = PebbleLab.uniqueName()
        let first = try await lab.issue(client, names: [name])
        #expect(first.challengesAnswered == 1)
        let second = try await lab.issue(client, names: [name])
        #expect(second.challengesAnswered == 0)
        #expect(second.chain.leaf.dnsNames == [name])
    }

    @Test func aFailedValidationNamesWhatTheCASaid_AgainstPebble() async throws {
        let lab = try PebbleLab()
        let client = try await lab.newAccount()
        let name = PebbleLab.uniqueName()
        let order = try await client.newOrder(identifiers: [.dns(name)])
        let authorization = try #require(try await client.authorizations(of: order).first)
        let challenge = try #require(authorization.challenge(type: "dns-01"))
        // No TXT record was published: the CA must refuse.
        _ = try await client.respond(to: challenge)
        let error = await #expect(throws: ACMEError.self) { try await client.waitForAuthorization(at: authorization.url) }
        #expect(error?.kind == .validationFailed)
        #expect(error?.description.contains(name) == true)
        #expect(error?.problem?.type?.hasPrefix("urn:ietf:params:acme:error:") == true)
    }

    @Test func aRejectedAccountSaysWhy_AgainstPebble() async throws {
        let lab = try PebbleLab()
        let client = try await ACMEClient.connect(to: lab.server, accountKey: try PrivateKey.generate(.ec256), http: lab.http)
        let error = await #expect(throws: ACMEError.self) {
            try await client.register(contact: ["tel:+15555550100"], termsOfServiceAgreed: true)
        }
        #expect(error?.kind == .problem)
        #expect(error?.problemType?.isEmpty == false)
        #expect(error?.description.contains("refused") == true)
    }

    @Test func anUnknownDirectoryURLIsAClearError_AgainstPebble() async throws {
        let lab = try PebbleLab()
        let directory = try Lab.require("PEBBLE_DIRECTORY_URL", component: "pebble")
        let wrong = try ACMEServer(directory.replacingOccurrences(of: "/dir", with: "/no-such-directory"))
        let error = await #expect(throws: ACMEError.self) {
            try await ACMEClient.connect(to: wrong, accountKey: try PrivateKey.generate(.ec256), http: lab.http)
        }
        #expect(error?.description.contains("no-such-directory") == true)
        #expect(error?.description.contains("--server") == true)
    }

    @Test func accountsAreFoundUpdatedRolledOverAndDeactivated_AgainstPebble() async throws {
        let lab = try PebbleLab()
        let key = try PrivateKey.generate(.ec256)
        let fresh = try await ACMEClient.connect(to: lab.server, accountKey: key, http: lab.http)
        #expect(try await fresh.findAccount() == nil)
        let account = try await fresh.register(contact: ["mailto:one@example.org"], termsOfServiceAgreed: true)
        #expect(account.status == "valid")

        let again = try await ACMEClient.connect(to: lab.server, accountKey: key, http: lab.http)
        let found = try await again.findAccount()
        #expect(found?.url == account.url)

        let updated = try await again.updateContact(["mailto:two@example.org"])
        #expect(updated.contact == ["mailto:two@example.org"])

        let newKey = try PrivateKey.generate(.ec384)
        try await again.rollOver(to: newKey)
        let rolled = try await ACMEClient.connect(to: lab.server, accountKey: newKey, http: lab.http)
        #expect(try await rolled.findAccount()?.url == account.url)
        let old = try await ACMEClient.connect(to: lab.server, accountKey: key, http: lab.http)
        #expect(try await old.findAccount() == nil)

        let deactivated = try await rolled.deactivateAccount()
        #expect(deactivated.status == "deactivated")
        let error = await #expect(throws: ACMEError.self) { try await rolled.newOrder(identifiers: [.dns(PebbleLab.uniqueName())]) }
        #expect(error?.problemType == "unauthorized")
    }

    @Test func certificatesAreRevokedByAccountAndByTheirOwnKey_AgainstPebble() async throws {
        let lab = try PebbleLab()
        let client = try await lab.newAccount()
        let byAccount = try await lab.issue(client, names: [PebbleLab.uniqueName()])
        try await client.revoke(byAccount.chain.leaf, reason: 4)
        let twice = await #expect(throws: ACMEError.self) { try await client.revoke(byAccount.chain.leaf) }
        #expect(twice?.problemType == "alreadyRevoked")

        let byKey = try await lab.issue(client, names: [PebbleLab.uniqueName()])
        let stranger = try await ACMEClient.connect(to: lab.server, accountKey: try PrivateKey.generate(.ec256), http: lab.http)
        try await stranger.revoke(byKey.chain.leaf, certificateKey: byKey.key)
    }
}

/// The `openssl verify` command as a second opinion on a chain.
enum OpenSSLVerify {
    static func check(chain: IssuedChain, root: Certificate) throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("verify-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let rootPath = dir.appendingPathComponent("root.pem").path
        let leafPath = dir.appendingPathComponent("leaf.pem").path
        let intermediatesPath = dir.appendingPathComponent("intermediates.pem").path
        try root.pem.write(toFile: rootPath, atomically: true, encoding: .utf8)
        try chain.leaf.pem.write(toFile: leafPath, atomically: true, encoding: .utf8)
        try chain.certificates.dropFirst().map(\.pem).joined().write(toFile: intermediatesPath, atomically: true, encoding: .utf8)
        let result = try Subprocess.run("openssl", ["verify", "-CAfile", rootPath, "-untrusted", intermediatesPath, leafPath])
        guard result.status == 0, result.stdout.contains(": OK") else {
            throw LabDNS.Failed(description: "openssl verify refused the chain: \(result.stdout) \(result.stderr)")
        }
    }
}
