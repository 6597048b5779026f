public import CertCore
import Foundation

/// The lab's Pebble (`scripts/lab up pebble dns`), and an ACME flow that proves DNS-01 through
/// the lab's BIND primary with nsupdate — the ACME client's tests must not depend on the DNS-01
/// engine, which has tests of its own.
public struct PebbleLab: Sendable {
    public let http: HTTPClient
    public let server: ACMEServer
    public let managementURL: String

    public init() throws {
        let bundle = try Lab.require("LAB_CA_BUNDLE", component: "pebble")
        guard let pem = FileManager.default.contents(atPath: bundle) else {
            throw Lab.NotRunning(component: "pebble", variable: "LAB_CA_BUNDLE (\(bundle) unreadable)")
        }
        http = try HTTPClient(configuration: HTTPClientConfiguration(trust: .only(pem: pem)))
        server = try ACMEServer(try Lab.require("PEBBLE_DIRECTORY_URL", component: "pebble"))
        managementURL = try Lab.require("PEBBLE_MANAGEMENT_URL", component: "pebble")
    }

    /// Pebble's root number `index` (they change on every start).
    public func root(_ index: Int) async throws -> Certificate {
        let response = try await http.send(HTTPRequest(url: "\(managementURL)/roots/\(index)"))
        return try requireCertificate(response)
    }

    /// A client with a freshly registered account.
    public func newAccount(_ keyType: KeyType = .ec256) async throws -> ACMEClient {
        let client = try await ACMEClient.connect(to: server, accountKey: try PrivateKey.generate(keyType), http: http)
        _ = try await client.register(contact: ["mailto:certs@example.org"], termsOfServiceAgreed: true)
        return client
    }

    /// A fresh label under the lab zone, so every order needs fresh authorizations.
    public static func uniqueName() -> String {
        uniqueLabel("t") + "." + ((try? Lab.require("LAB_DNS_ZONE", component: "dns")) ?? "example.test")
    }

    public struct Issued: Sendable {
        public var chain: IssuedChain
        public var key: PrivateKey
        public var challengesAnswered: Int
    }

    /// Orders a certificate for `names`, publishing and removing the DNS-01 records itself.
    public func issue(_ client: ACMEClient, names: [String], keyType: KeyType = .ec256, preferredChain: String? = nil) async throws -> Issued {
        let order = try await client.newOrder(identifiers: names.map(ACMEIdentifier.dns))
        let authorizations = try await client.authorizations(of: order)
        var records: [String: [String]] = [:]
        var pending: [(ACMEAuthorization, ACMEChallenge)] = []
        for authorization in authorizations where authorization.status == .pending {
            guard let challenge = authorization.challenge(type: "dns-01"), let token = challenge.token else {
                throw LabDNS.Failed(description: "no dns-01 challenge for \(authorization.domain)")
            }
            records["_acme-challenge.\(authorization.identifier.value)", default: []].append(await client.dns01Value(for: token))
            pending.append((authorization, challenge))
        }
        for (name, values) in records { try LabDNS.update(name, values: values) }
        do {
            for (name, values) in records { try await LabDNS.waitUntilServed(name, values: values) }
            for (_, challenge) in pending { _ = try await client.respond(to: challenge) }
            for (authorization, _) in pending { _ = try await client.waitForAuthorization(at: authorization.url) }
            let key = try PrivateKey.generate(keyType)
            let csr = try CertificateSigningRequest(commonName: names.first, dnsNames: names, privateKey: key)
            let finalized = try await client.finalize(order, csr: csr)
            guard let certificateURL = finalized.certificate else {
                throw LabDNS.Failed(description: "the valid order has no certificate URL")
            }
            let chain = try await client.downloadCertificate(at: certificateURL, preferredChain: preferredChain)
            for (name, values) in records { try LabDNS.update(name, values: values, remove: true) }
            return Issued(chain: chain, key: key, challengesAnswered: pending.count)
        } catch {
            for (name, values) in records { try? LabDNS.update(name, values: values, remove: true) }
            throw error
        }
    }
}

/// The certificate in a PEM response.
public func requireCertificate(_ response: HTTPResponse) throws -> Certificate {
    guard response.status == 200, let first = try Certificate.parseChain(pem: response.text).first else {
        throw LabDNS.Failed(description: "expected a PEM certificate, got HTTP \(response.status)")
    }
    return first
}
