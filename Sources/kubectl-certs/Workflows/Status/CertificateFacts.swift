import CertCore
import Foundation
import Synchronization

/// What a TLS Secret's contents say, parsed once: the leaf, its chain, whether the key
/// matches, whether the chain is complete. Holds no key material.
struct CertificateFacts: Sendable {
    var leaf: Certificate
    var chain: [Certificate]
    var keyMatches: Bool
    /// Why the chain is incomplete, when it is.
    var chainProblem: String?

    /// Parses `tls.crt` (and `ca.crt`) and checks `tls.key` against the leaf. Throws a
    /// one-line reason when the certificate cannot be used at all.
    static func parse(secretData: [String: Data], trustedRoots: TrustedRoots) throws(FactsError) -> CertificateFacts {
        guard let crt = secretData["tls.crt"], !crt.isEmpty else { throw FactsError("the Secret has no tls.crt") }
        let chain: [Certificate]
        do {
            chain = try Certificate.parseChain(pem: String(decoding: crt, as: UTF8.self))
        } catch {
            throw FactsError("tls.crt does not parse: \(error)")
        }
        guard let leaf = chain.first else { throw FactsError("tls.crt holds no certificate") }
        // Any key OpenSSL reads counts, not only the kinds `issue` makes.
        let keyMatches = secretData["tls.key"].map { leaf.matches(keyPEM: String(decoding: $0, as: UTF8.self)) } ?? false
        let extraRoots = secretData["ca.crt"].flatMap { try? Certificate.parseChain(pem: String(decoding: $0, as: UTF8.self)) } ?? []
        return CertificateFacts(leaf: leaf, chain: chain, keyMatches: keyMatches, chainProblem: Self.chainProblem(chain, extraRoots: extraRoots, trustedRoots: trustedRoots))
    }

    /// Each certificate must be issued by the next; the last must be self-signed, or issued
    /// by a root in `ca.crt` or the system's store, or be an intermediate (whose root the
    /// client has). A lone leaf from a CA no one here knows is missing its intermediate.
    static func chainProblem(_ chain: [Certificate], extraRoots: [Certificate], trustedRoots: TrustedRoots) -> String? {
        for (child, parent) in zip(chain, chain.dropFirst()) where !issued(child, by: parent) {
            return "\(child.subject) is not issued by the next certificate in tls.crt (\(parent.subject))"
        }
        guard let top = chain.last else { return "no certificate" }
        if top.subject == top.issuer { return nil }
        if extraRoots.contains(where: { issued(top, by: $0) }) || trustedRoots.issuerKnown(of: top) { return nil }
        if chain.count == 1 { return "tls.crt holds only the leaf: the intermediate that issued it (\(top.issuer)) is missing" }
        return nil
    }

    static func issued(_ child: Certificate, by parent: Certificate) -> Bool {
        guard child.issuer == parent.subject else { return false }
        if let aki = child.authorityKeyIdentifier, let ski = parent.subjectKeyIdentifier { return aki == ski }
        return true
    }
}

struct FactsError: Error, CustomStringConvertible, Sendable {
    var description: String
    init(_ description: String) { self.description = description }
}

/// The system's trusted roots, indexed by subject: read once, when first asked (a run with no
/// certificate to judge never reads them).
final class TrustedRoots: Sendable {
    private let bundlePath: String
    private let subjects = Mutex<Set<String>?>(nil)

    init(bundlePath: String = "/etc/ssl/certs/ca-certificates.crt") {
        self.bundlePath = bundlePath
    }

    func issuerKnown(of certificate: Certificate) -> Bool {
        subjects.withLock { known in
            if known == nil {
                let pem = (try? String(contentsOfFile: bundlePath, encoding: .utf8)) ?? ""
                known = Set(((try? Certificate.parseChain(pem: pem)) ?? []).map(\.subject))
            }
            return known?.contains(certificate.issuer) == true
        }
    }
}
