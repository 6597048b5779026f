import CertCore
import Foundation
import Logging

/// The CA's renewal windows (RFC 9773). Each server's directory is fetched once per run; a
/// server without `renewalInfo`, a certificate without an identifier, or an answer that fails
/// leaves the decision to the certificate's lifetime.
actor RenewalInfoSource {
    private let http: HTTPClient
    private var directories: [String: Task<ACMEDirectory?, Never>] = [:]
    private static let logger = Logger(label: "kubectl-certs.renew")

    init(http: HTTPClient) {
        self.http = http
    }

    func window(for leaf: Certificate, server: String) async -> ACMERenewalInfo? {
        guard let directory = await directory(server) else { return nil }
        do {
            return try await ACMEClient.renewalInfo(for: leaf, directory: directory, http: http)
        } catch {
            Self.logger.warning("no renewal window from \(server) for serial \(leaf.serialNumber) (\(error)); going by the certificate's lifetime")
            return nil
        }
    }

    private func directory(_ server: String) async -> ACMEDirectory? {
        if let known = directories[server] { return await known.value }
        let http = http
        let task = Task { () -> ACMEDirectory? in
            do {
                return try await ACMEClient.fetchDirectory(of: try ACMEServer(server), http: http)
            } catch {
                Self.logger.warning("could not read the ACME directory \(server) (\(error)); going by lifetimes for its certificates")
                return nil
            }
        }
        directories[server] = task
        return await task.value
    }
}
