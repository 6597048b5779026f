@testable import kubectl_certs
import CertCore
import Foundation
import TestSupport
import Testing

/// Each state from certificates the `openssl` command makes.
@Suite struct StatusEvaluationTests {
    let pki: TestPKI
    let intermediate: TestPKI.Issued
    let now = Date()
    let day: TimeInterval = 86400

    init() throws {
        pki = try TestPKI(name: "Status Test Root")
        intermediate = try pki.certificate("intermediate", commonName: "Status Test Intermediate", notBefore: Date().addingTimeInterval(-400 * 86400), notAfter: Date().addingTimeInterval(400 * 86400), isCA: true)
    }

    func secretData(_ leaf: TestPKI.Issued, chain: Bool = true, key: TestPKI.Issued? = nil) -> [String: Data] {
        let crt = leaf.certificatePEM + (chain ? intermediate.certificatePEM : Data())
        return ["tls.crt": crt, "tls.key": (key ?? leaf).keyPEM]
    }

    func leaf(_ label: String, names: [String], from: TimeInterval, to: TimeInterval) throws -> TestPKI.Issued {
        try pki.certificate(label, commonName: names[0], dnsNames: names, notBefore: now.addingTimeInterval(from * day), notAfter: now.addingTimeInterval(to * day), signer: intermediate)
    }

    func evaluate(_ data: [String: Data], hosts: [String], ready: ObjectCondition? = nil, within: Duration? = nil) -> (HealthState, String?) {
        let contents: StatusEvaluation.SecretContents
        do {
            contents = .parsed(try CertificateFacts.parse(secretData: data, trustedRoots: TrustedRoots(bundlePath: "/nonexistent")))
        } catch {
            contents = .unusable(error.description)
        }
        return StatusEvaluation(now: now, within: within).evaluate(contents, secretName: "s", hosts: hosts, ready: ready)
    }

    @Test func aCurrentCertificateCoveringItsHostsIsValid() throws {
        let cert = try leaf("valid", names: ["shop.example.test", "*.shop.example.test"], from: -1, to: 89)
        #expect(evaluate(secretData(cert), hosts: ["shop.example.test", "cdn.shop.example.test"]).0 == .valid)
    }

    @Test func theLastThirdOfTheLifetimeIsExpiringUnlessWithinSaysOtherwise() throws {
        let cert = try leaf("expiring", names: ["e.example.test"], from: -80, to: 10)
        let (state, reason) = evaluate(secretData(cert), hosts: ["e.example.test"])
        #expect(state == .expiring)
        #expect(reason?.hasPrefix("expires in 9d") == true || reason?.hasPrefix("expires in 10d") == true)
        #expect(evaluate(secretData(cert), hosts: [], within: .seconds(5 * 86400)).0 == .valid)
        #expect(evaluate(secretData(cert), hosts: [], within: .seconds(30 * 86400)).0 == .expiring)
    }

    @Test func expiredAndNotYetValid() throws {
        #expect(evaluate(secretData(try leaf("old", names: ["o.example.test"], from: -100, to: -10)), hosts: []).0 == .expired)
        #expect(evaluate(secretData(try leaf("future", names: ["f.example.test"], from: 2, to: 90)), hosts: []).0 == .notYetValid)
    }

    @Test func hostsTheCertificateDoesNotCoverAreNamed() throws {
        let cert = try leaf("narrow", names: ["*.wild.example.test"], from: -1, to: 89)
        let (state, reason) = evaluate(secretData(cert), hosts: ["a.wild.example.test", "wild.example.test", "b.c.wild.example.test"])
        #expect(state == .uncovered)
        #expect(reason == "not covered: wild.example.test, b.c.wild.example.test")
    }

    @Test func aKeyThatDoesNotMatchIsInvalid() throws {
        let cert = try leaf("mine", names: ["k.example.test"], from: -1, to: 89)
        let other = try leaf("theirs", names: ["k.example.test"], from: -1, to: 89)
        let (state, reason) = evaluate(secretData(cert, key: other), hosts: [])
        #expect(state == .invalid)
        #expect(reason?.contains("tls.key") == true)
    }

    @Test func aLeafWithoutItsIntermediateIsInvalid() throws {
        let cert = try leaf("alone", names: ["a.example.test"], from: -1, to: 89)
        let (state, reason) = evaluate(secretData(cert, chain: false), hosts: [])
        #expect(state == .invalid)
        #expect(reason?.contains("intermediate") == true)
        // With ca.crt naming the intermediate as the trusted issuer, the lone leaf is fine.
        var data = secretData(cert, chain: false)
        data["ca.crt"] = intermediate.certificatePEM
        #expect(evaluate(data, hosts: []).0 == .valid)
    }

    @Test func garbageIsInvalidWithTheReason() {
        let (state, reason) = evaluate(["tls.crt": Data("not a certificate".utf8), "tls.key": Data()], hosts: [])
        #expect(state == .invalid)
        #expect(reason?.contains("tls.crt") == true)
    }

    @Test func certManagersNotReadyComesWithItsMessage() throws {
        let cert = try leaf("managed", names: ["m.example.test"], from: -1, to: 89)
        let ready = ObjectCondition(type: "Ready", status: "False", reason: "DoesNotExist", message: "Issuing certificate as Secret does not exist")
        let (state, reason) = evaluate(secretData(cert), hosts: ["m.example.test"], ready: ready)
        #expect(state == .notReady)
        #expect(reason == "DoesNotExist: Issuing certificate as Secret does not exist")
    }

    @Test func statesSortByUrgency() {
        #expect(HealthState.allCases.sorted() == [.missing, .invalid, .expired, .notYetValid, .uncovered, .notReady, .expiring, .valid])
        #expect(HealthState(name: "expired") == .expired)
        #expect(HealthState(name: "Bogus") == nil)
    }
}
