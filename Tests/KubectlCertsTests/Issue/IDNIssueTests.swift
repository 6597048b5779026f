import CertCore
import Foundation
import TestSupport
import Testing

/// Names given in Unicode are ordered, put in the CSR and recorded as A-labels
/// (`xn--...`), so the CA sees one spelling throughout.
@Suite(.lab) struct IDNIssueTests {
    @Test func aUnicodeNameIsIssuedAsItsALabel_AgainstLab() async throws {
        let lab = try IssueLab()
        let namespace = try await lab.namespace()
        let base = "\(IssueLab.label()).\(lab.zone)"
        let unicode = "bücher.\(base)", ascii = "xn--bcher-kva.\(base)"
        let result = try await lab.issue(["-d", unicode, "-d", "*.Bücher.\(base)", "--secret", "idn-tls", "-n", namespace, "--dns", "rfc2136"])
        #expect(result.status == 0, "\(result.stderr)")
        let secret = try await lab.secret("idn-tls", namespace)
        #expect(secret.annotations["kubectl-certs.io/domains"] == "\(ascii),*.\(ascii)")
        #expect(Set(secret.annotations["cert-manager.io/alt-names"]?.split(separator: ",").map(String.init) ?? []) == [ascii, "*.\(ascii)"])
        let leaf = try #require(try Certificate.parseChain(pem: String(decoding: secret.data["tls.crt"] ?? Data(), as: UTF8.self)).first)
        #expect(Set(leaf.dnsNames) == [ascii, "*.\(ascii)"])
    }
}
