@testable import kubectl_certs
import CertCore
import Foundation
import TestSupport
import Testing

/// The pending-order Secret against the Kubernetes API test server: never overwritten or
/// deleted behind another run's back, and named within Kubernetes' rules.
@Suite(.lab) struct PendingOrderStoreTests {
    let lab: IssueLab
    init() throws { lab = try IssueLab() }

    func spec(_ namespace: String, secret: String = "web-tls") -> CertificateSpec {
        CertificateSpec(namespace: namespace, secretName: secret, dnsNames: ["web.example.test"], commonName: nil, keyType: .ec256, keyEncoding: .pkcs8, reuseStoredKey: false, certificateName: nil, issuer: nil, labels: [:], origin: "-d")
    }

    func pending(_ orderURL: String) -> PendingOrder {
        PendingOrder(server: "https://ca.test/dir", names: ["web.example.test"], orderURL: orderURL, keyPEM: "not a key", records: [])
    }

    @Test func aNewRecordNeverOverwritesOneAnotherRunSaved_AgainstKube() async throws {
        let namespace = try await lab.namespace()
        let store = PendingOrderStore(client: lab.client)
        let spec = spec(namespace)
        _ = try await store.create(pending("https://ca.test/order/theirs"), for: spec)
        await #expect(throws: (any Error).self) { _ = try await store.create(pending("https://ca.test/order/mine"), for: spec) }
        #expect(try await store.load(for: spec)?.order.orderURL == "https://ca.test/order/theirs")
    }

    @Test func anUpdateOrRemovalOfAStaleCopyIsRefused_AgainstKube() async throws {
        let namespace = try await lab.namespace()
        let store = PendingOrderStore(client: lab.client)
        let spec = spec(namespace)
        let mine = try await store.create(pending("https://ca.test/order/mine"), for: spec)
        // Another run resumes it and records its own state.
        let loaded = try #require(try await store.load(for: spec))
        _ = try await store.update(loaded, with: pending("https://ca.test/order/theirs"))
        await #expect(throws: (any Error).self) { _ = try await store.update(mine, with: pending("https://ca.test/order/mine-again")) }
        await #expect(throws: (any Error).self) { try await store.remove(mine) }
        #expect(try await store.load(for: spec)?.order.orderURL == "https://ca.test/order/theirs")
        try await store.remove(try #require(try await store.load(for: spec)))
        #expect(try await store.load(for: spec) == nil)
    }

    @Test func longNamesStayDistinctValidSecretNames() {
        let stem = String(repeating: "a", count: 240)
        let first = PendingOrder.secretName(for: stem + "-one")
        let second = PendingOrder.secretName(for: stem + "-two")
        let dashed = PendingOrder.secretName(for: String(repeating: "b", count: 230) + "-" + String(repeating: "c", count: 40))
        for name in [first, second, dashed] {
            #expect(name.count <= 253)
            #expect(name.last?.isLetter == true || name.last?.isNumber == true, "\(name)")
        }
        #expect(first != second)
        #expect(PendingOrder.secretName(for: stem + "-one") == first, "the name is stable")
        #expect(PendingOrder.secretName(for: "web-tls") == "kubectl-certs-pending-web-tls")
    }
}
