import CertCore
import Foundation

/// The third step: finalize the order with a CSR for the key, download the chain, and check
/// that the certificate is for that key.
struct CertificateRetrieval {
    var acme: ACMEClient
    var progress: ProgressDisplay

    func retrieve(_ order: ACMEOrder, key: PrivateKey, spec: CertificateSpec, preferredChain: String?) async throws -> IssuedChain {
        let finished = try await finalize(order, key: key, spec: spec)
        guard let certificateURL = finished.certificate else {
            throw CommandFailure(message: "the order \(finished.url) is \(finished.status) and has no certificate", exitStatus: .acmeRefused)
        }
        let chain = try await acme.downloadCertificate(at: certificateURL, preferredChain: preferredChain)
        guard chain.leaf.matches(key) else {
            throw CommandFailure(message: "the certificate the CA returned does not match the key it was ordered with; nothing was written")
        }
        return chain
    }

    private func finalize(_ order: ACMEOrder, key: PrivateKey, spec: CertificateSpec) async throws -> ACMEOrder {
        switch order.status {
        case .pending, .ready:
            let names = spec.orderNames
            let csr = try CertificateSigningRequest(commonName: spec.commonName ?? names.first { !$0.hasPrefix("*.") }, dnsNames: names, privateKey: key)
            let finalized = try await acme.finalize(order, csr: csr)
            progress.stageAll("finalized")
            return finalized
        case .processing:
            return try await acme.waitForOrder(at: order.url)
        case .valid, .invalid, .other:
            return order
        }
    }
}
