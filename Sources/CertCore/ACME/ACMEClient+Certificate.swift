import Foundation

/// A certificate chain as the CA issued it: the leaf first, then the intermediates.
public struct IssuedChain: Sendable, Equatable {
    public var pem: String
    public var certificates: [Certificate]

    public var leaf: Certificate { certificates[0] }

    /// The issuer common name of the top of the chain: the name `--preferred-chain` matches.
    public var topIssuerCommonName: String? { certificates.last?.issuerCommonName }
}

extension ACMEClient {
    /// Downloads the certificate, and the alternative chains the CA offers (`Link:
    /// rel="alternate"`). With `preferredChain`, the first chain whose top certificate's
    /// issuer common name (or any certificate's subject CN) equals it is returned; otherwise,
    /// and when none matches, the CA's default chain.
    public func downloadCertificate(at url: String, preferredChain: String? = nil) async throws(ACMEError) -> IssuedChain {
        let response = try await post(url, payload: nil, accept: "application/pem-certificate-chain")
        let chain = try parseChain(response, url: url)
        guard let preferredChain, !chain.matches(preferredChain) else { return chain }
        for alternate in Self.alternateLinks(response.headers) {
            let other = try parseChain(try await post(alternate, payload: nil, accept: "application/pem-certificate-chain"), url: alternate)
            if other.matches(preferredChain) { return other }
        }
        logger.info("no chain from \(url) matches --preferred-chain \(preferredChain); using the default chain")
        return chain
    }

    private func parseChain(_ response: HTTPResponse, url: String) throws(ACMEError) -> IssuedChain {
        let pem = response.text
        do {
            let certificates = try Certificate.parseChain(pem: pem)
            return IssuedChain(pem: pem, certificates: certificates)
        } catch {
            throw ACMEError(kind: .protocolViolation, message: "the certificate at \(url) did not parse: \(error)")
        }
    }

    /// The URLs of `Link: <url>;rel="alternate"` headers (several headers, or one with commas).
    static func alternateLinks(_ headers: HTTPHeaders) -> [String] {
        headers.values(for: "Link").flatMap { $0.split(separator: ",") }.compactMap { link in
            let parts = link.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
            guard let target = parts.first, target.hasPrefix("<"), target.hasSuffix(">") else { return nil }
            let isAlternate = parts.dropFirst().contains { parameter in
                let normalized = parameter.replacingOccurrences(of: " ", with: "").lowercased()
                return normalized == "rel=\"alternate\"" || normalized == "rel=alternate"
            }
            return isAlternate ? String(target.dropFirst().dropLast()) : nil
        }
    }

    /// Revokes a certificate (RFC 8555 §7.6), signed by the account, or by the certificate's
    /// own key when given. `reason` is an RFC 5280 CRLReason code.
    public func revoke(_ certificate: Certificate, reason: Int? = nil, certificateKey: PrivateKey? = nil) async throws(ACMEError) {
        struct Revocation: Encodable {
            var certificate: String
            var reason: Int?
        }
        let payload = Self.encode(Revocation(certificate: Base64URL.encode(certificate.der), reason: reason))
        _ = try await post(directory.revokeCert, payload: payload, signer: certificateKey.map { .key($0) } ?? .account)
    }
}

extension IssuedChain {
    func matches(_ name: String) -> Bool {
        topIssuerCommonName == name || certificates.contains { $0.subjectCommonName == name }
    }
}
