@testable import CertCore
import Foundation
import TestSupport
import Testing

/// The ARI proxy (`lab/ari-proxy/ari_proxy.py`) in front of the lab's Pebble, driven by the
/// project's ACME client: Pebble issues, the proxy adds RFC 9773 renewal information and checks
/// `replaces`.
@Suite(.lab) struct ARIProxyTests {
    /// The problem document of a refused order, as the client decodes it: the raw newOrder,
    /// without the fallback `newOrder(identifiers:replaces:)` does.
    func refusal(_ client: ACMEClient, names: [String], replaces: String) async throws -> ACMEError {
        struct NewOrder: Encodable {
            var identifiers: [ACMEIdentifier]
            var replaces: String
        }
        let payload = try JSONEncoder().encode(NewOrder(identifiers: names.map(ACMEIdentifier.dns), replaces: replaces))
        let response: HTTPResponse
        do {
            response = try await client.post(client.directory.newOrder, payload: payload)
        } catch {
            return error
        }
        throw ACMEError(kind: .protocolViolation, message: "the order replacing \(replaces) was accepted: HTTP \(response.status)")
    }

    func foreignCertificate(_ names: [String]) throws -> Certificate {
        let pki = try TestPKI()
        let issued = try pki.server("leaf", dnsNames: names)
        return try #require(try Certificate.parseChain(pem: String(decoding: issued.certificatePEM, as: UTF8.self)).first)
    }

    @Test func aCertificateIssuesThroughTheProxy_AgainstPebble() async throws {
        let ca = try await ARIProxyLab()
        let client = try await ca.newAccount()
        let name = PebbleLab.uniqueName()

        let issued = try await ca.pebble.issue(client, names: [name])

        #expect(issued.chain.leaf.dnsNames == [name])
        // Pebble wrote the proxy's address into what it returned, and checked the JWS urls against it.
        #expect(client.directory.newOrder.hasPrefix(ca.baseURL + "/"))
        #expect(await client.accountURL?.hasPrefix(ca.baseURL + "/") == true)
        #expect(try await ca.issued() == [try ACMEClient.certificateIdentifier(issued.chain.leaf)])
        #expect(try await ca.orders() == [ARIProxyLab.Order(names: [name], replaces: nil, refused: false, problem: nil)])
    }

    @Test(arguments: ARIWindow.allCases)
    func theDirectoryOffersRenewalInfoInTheStartingWindow_AgainstPebble(window: ARIWindow) async throws {
        let ca = try await ARIProxyLab(window: window)
        let client = try await ACMEClient.connect(to: try ACMEServer(ca.directoryURL), accountKey: try PrivateKey.generate(.ec256), http: ca.pebble.http)
        #expect(client.directory.renewalInfo == ca.baseURL + "/renewal-info")

        let info = try #require(try await client.renewalInfo(for: try foreignCertificate(["window-\(window).example.test"])))

        let now = Date()
        switch window {
        case .past: #expect(info.windowEnd < now)
        case .now: #expect(info.windowStart < now && now < info.windowEnd)
        case .future: #expect(info.windowStart > now.addingTimeInterval(4 * 86400))
        }
        #expect(info.windowStart < info.windowEnd)
        // Retry-After: 21600 seconds (six hours) from when it answered.
        let retryAfter = try #require(info.retryAfter)
        #expect(retryAfter > now.addingTimeInterval(5 * 3600) && retryAfter < now.addingTimeInterval(7 * 3600))
    }

    @Test func theWindowChangesWhileItRuns_AgainstPebble() async throws {
        let ca = try await ARIProxyLab(window: .future)
        let client = try await ACMEClient.connect(to: try ACMEServer(ca.directoryURL), accountKey: try PrivateKey.generate(.ec256), http: ca.pebble.http)
        let certificate = try foreignCertificate(["window-changes.example.test"])

        try await ca.setWindow(.past)
        let past = try #require(try await client.renewalInfo(for: certificate))
        try await ca.setWindow(.now)
        let now = try #require(try await client.renewalInfo(for: certificate))
        try await ca.setWindow(.future)
        let future = try #require(try await client.renewalInfo(for: certificate))

        let moment = Date()
        #expect(past.windowEnd < moment)
        #expect(now.windowStart < moment && moment < now.windowEnd)
        #expect(future.windowStart > moment)
    }

    @Test func anUnknownWindowModeIsRefused_AgainstPebble() async throws {
        let ca = try await ARIProxyLab()
        let response = try await ca.pebble.http.send(HTTPRequest(method: "POST", url: ca.baseURL + "/admin/window", body: Data(#"{"mode":"soon"}"#.utf8)))
        #expect(response.status == 400)
        #expect(response.text.contains("past, now, future"))
    }

    @Test(arguments: [
        "bm8tZG90LWhlcmU",              // no dot
        "YWtp.AQ.AQ",                   // three parts
        "YWtp.",                        // no serial
        ".AQ",                          // no key identifier
        "YWtp.AQ==",                    // padding
        "YW+p.AQ",                      // base64, not base64url
        "YWtp.gA",                      // a negative serial (0x80 without its leading zero)
        "YWtp.AAE",                     // a serial with a needless leading zero
    ])
    func aCertificateIdentifierThatDoesNotParseIsMalformed_AgainstPebble(identifier: String) async throws {
        let ca = try await ARIProxyLab()
        let response = try await ca.pebble.http.send(HTTPRequest(url: ca.baseURL + "/renewal-info/" + identifier))
        #expect(response.status == 400)
        #expect(response.headers["Content-Type"] == "application/problem+json")
        let problem = try JSONDecoder().decode(ACMEError.Problem.self, from: response.body)
        #expect(problem.type == "urn:ietf:params:acme:error:malformed")
        #expect(problem.status == 400)
    }

    @Test func replacingACertificateOfAnotherCAIsRefusedAsMalformed_AgainstPebble() async throws {
        let ca = try await ARIProxyLab()
        let client = try await ca.newAccount()
        let name = PebbleLab.uniqueName()
        let foreign = try ACMEClient.certificateIdentifier(try foreignCertificate([name]))

        let error = try await refusal(client, names: [name], replaces: foreign)
        #expect(error.kind == .problem)
        #expect(error.problemType == "malformed")
        #expect(error.status == 400)

        // The client's newOrder falls back to an order without `replaces`, which Pebble creates.
        let order = try await client.newOrder(identifiers: [.dns(name)], replaces: foreign)
        #expect(order.replaces == nil)
        #expect(order.url.hasPrefix(ca.baseURL + "/"))
        let refused = ARIProxyLab.Order(names: [name], replaces: foreign, refused: true, problem: "malformed")
        #expect(try await ca.orders() == [refused, refused, ARIProxyLab.Order(names: [name], replaces: nil, refused: false, problem: nil)])
    }

    @Test func aRefusalCarriesAFreshNonceFromPebble_AgainstPebble() async throws {
        let ca = try await ARIProxyLab()
        let client = try await ca.newAccount()
        let name = PebbleLab.uniqueName()
        let nonce = try #require(try await ca.pebble.http.send(HTTPRequest(method: "HEAD", url: client.directory.newNonce)).headers["Replay-Nonce"])
        let payload = Data(#"{"identifiers":[{"type":"dns","value":"\#(name)"}],"replaces":"\#(try ACMEClient.certificateIdentifier(try foreignCertificate([name])))"}"#.utf8)
        let body = try JWS.sign(payload: payload, url: client.directory.newOrder, nonce: nonce, keyID: await client.accountURL, key: await client.accountKey)

        let response = try await ca.pebble.http.send(HTTPRequest(method: "POST", url: client.directory.newOrder, headers: ["Content-Type": "application/jose+json"], body: body))

        #expect(response.status == 400)
        #expect(response.headers["Content-Type"] == "application/problem+json")
        let fresh = try #require(response.headers["Replay-Nonce"])
        #expect(fresh != nonce)
        #expect(!fresh.isEmpty)
    }

    @Test func replacesIsAcceptedOnceForThisAccountsCertificateAndNamesShared_AgainstPebble() async throws {
        let ca = try await ARIProxyLab()
        let client = try await ca.newAccount()
        let other = try await ca.newAccount()
        let name = PebbleLab.uniqueName(), unrelated = PebbleLab.uniqueName()
        let issued = try await ca.pebble.issue(client, names: [name])
        let identifier = try ACMEClient.certificateIdentifier(issued.chain.leaf)

        let byOther = try await refusal(other, names: [name], replaces: identifier)
        #expect(byOther.problemType == "unauthorized")
        #expect(byOther.status == 403)
        let noSharedName = try await refusal(client, names: [unrelated], replaces: identifier)
        #expect(noSharedName.problemType == "malformed")

        let renewal = try await client.newOrder(identifiers: [.dns(name)], replaces: identifier)
        #expect(renewal.replaces == identifier)
        #expect(try await client.order(at: renewal.url).replaces == identifier)

        let again = try await refusal(client, names: [name], replaces: identifier)
        #expect(again.kind == .problem)
        #expect(again.problemType == "alreadyReplaced")
        #expect(again.status == 409)
        let fallback = try await client.newOrder(identifiers: [.dns(name)], replaces: identifier)
        #expect(fallback.replaces == nil)

        typealias Order = ARIProxyLab.Order
        #expect(try await ca.orders() == [
            Order(names: [name], replaces: nil, refused: false, problem: nil),
            Order(names: [name], replaces: identifier, refused: true, problem: "unauthorized"),
            Order(names: [unrelated], replaces: identifier, refused: true, problem: "malformed"),
            Order(names: [name], replaces: identifier, refused: false, problem: nil),
            Order(names: [name], replaces: identifier, refused: true, problem: "alreadyReplaced"),
            Order(names: [name], replaces: identifier, refused: true, problem: "alreadyReplaced"),
            Order(names: [name], replaces: nil, refused: false, problem: nil),
        ])
        #expect(try await ca.issued() == [identifier])
    }

    @Test func aReplacingOrderThatBecameInvalidNoLongerReplaces_AgainstPebble() async throws {
        let ca = try await ARIProxyLab()
        let client = try await ca.newAccount()
        let name = PebbleLab.uniqueName(), unproven = PebbleLab.uniqueName()
        let identifier = try ACMEClient.certificateIdentifier(try await ca.pebble.issue(client, names: [name]).chain.leaf)
        let failing = try await client.newOrder(identifiers: [.dns(name), .dns(unproven)], replaces: identifier)
        #expect(failing.replaces == identifier)

        // No TXT record is published for `unproven`: Pebble's validation fails and the order with it.
        let authorization = try #require(try await client.authorizations(of: failing).first { $0.identifier.value == unproven })
        _ = try await client.respond(to: try #require(authorization.challenge(type: "dns-01")))
        await #expect(throws: ACMEError.self) { try await client.waitForAuthorization(at: authorization.url) }
        #expect(try await client.order(at: failing.url).status == .invalid)

        let renewal = try await client.newOrder(identifiers: [.dns(name)], replaces: identifier)
        #expect(renewal.replaces == identifier)
        #expect(try await ca.orders().map(\.refused) == [false, false, false])
    }

    @Test func kubectlCertsReissuesThroughItReplacingItsOwnCertificate_AgainstPebbleAndKube() async throws {
        let ca = try await ARIProxyLab()
        let lab = try IssueLab()
        let namespace = try await lab.namespace()
        let name = "\(IssueLab.label()).\(lab.zone)"
        let arguments = ["certs", "issue", "-d", name, "--secret", "ari-tls", "-n", namespace, "--dns", "rfc2136",
                         "--server", ca.directoryURL, "--acme-ca-bundle", lab.caBundle, "--dns-resolver", lab.resolver, "--propagation-timeout", "60s"]

        let first = try await Subprocess.run("kubectl", arguments, environment: lab.environment)
        #expect(first.status == 0, "\(first.stderr)")
        let issued = try #require(try Certificate.parseChain(pem: String(decoding: try await lab.secret("ari-tls", namespace).data["tls.crt"] ?? Data(), as: UTF8.self)).first)
        let identifier = try ACMEClient.certificateIdentifier(issued)
        #expect(try await ca.issued() == [identifier])

        let second = try await Subprocess.run("kubectl", arguments, environment: lab.environment)
        #expect(second.status == 0, "\(second.stderr)")
        #expect(try await ca.orders() == [ARIProxyLab.Order(names: [name]), ARIProxyLab.Order(names: [name], replaces: identifier)])
        #expect(try await ca.issued().count == 2)
    }

    @Test func concurrentIssuancesAreEachCountedOnce_AgainstPebble() async throws {
        let ca = try await ARIProxyLab()
        let names = (0..<3).map { _ in PebbleLab.uniqueName() }

        let leaves = try await withThrowingTaskGroup(of: Certificate.self) { group in
            for name in names {
                group.addTask {
                    let client = try await ca.newAccount()
                    return try await ca.pebble.issue(client, names: [name]).chain.leaf
                }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }

        #expect(Set(try await ca.issued()) == Set(try leaves.map(ACMEClient.certificateIdentifier)))
        #expect(try await ca.issued().count == 3)
        let orders = try await ca.orders()
        #expect(Set(orders.flatMap(\.names)) == Set(names))
        #expect(orders.count == 3)
        #expect(orders.allSatisfy { !$0.refused && $0.replaces == nil })
    }
}
