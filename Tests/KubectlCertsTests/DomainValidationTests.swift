@testable import kubectl_certs
import Foundation
import TestSupport
import Testing

/// What `issue -d` takes: DNS names in any case, Unicode labels (issued as A-labels), one
/// wildcard as the whole left-most label; everything else is refused before any work, with
/// a message that says what is wrong.
@Suite(.lab) struct DomainValidationTests {
    let binary = Subprocess.buildDirectory.appendingPathComponent("kubectl-certs").path

    @Test(arguments: ["example.test", "WWW.Example.Test", "*.example.test", "bücher.example.test", "*.Bücher.example.test",
                      "xn--bcher-kva.example.test", "a-b.c1.example.test", String(repeating: "a", count: 63) + ".example.test"])
    func accepts(name: String) {
        #expect(KubectlCerts.Issue.domainProblem(name) == nil)
    }

    @Test(arguments: [
        ("example.test.", "trailing dot"),
        ("*.*.example.test", "wildcard"),
        ("a.*.example.test", "wildcard"),
        ("*example.test", "wildcard"),
        (String(repeating: "a", count: 64) + ".example.test", "longer than 63"),
        (String(repeating: "ü", count: 60) + ".example.test", "longer than 63"),
        ((0..<26).map { _ in "abcdefghi" }.joined(separator: ".") + ".test", "longer than 253"),
        ("example", "at least two labels"),
        ("a..example.test", "empty label"),
        ("a-.example.test", "hyphen"),
        ("a_b.example.test", "letters, digits and hyphens"),
    ])
    func refusesThroughTheCommandLine(name: String, reason: String) throws {
        let result = try Subprocess.run(binary, ["issue", "-d", name, "--secret", "web-tls", "--dns", "rfc2136"])
        #expect(result.status == 2, "\(result.stderr)")
        #expect(result.stderr.contains("-d \(name)"), "\(result.stderr)")
        #expect(result.stderr.contains(reason), "\(result.stderr)")
        #expect(!result.stderr.contains("Fatal error"))
    }

    @Test func theSameNameTwiceIsRefused() throws {
        let result = try Subprocess.run(binary, ["issue", "-d", "shop.example.test", "-d", "SHOP.example.test", "--secret", "web-tls", "--dns", "rfc2136"])
        #expect(result.status == 2, "\(result.stderr)")
        #expect(result.stderr.contains("-d SHOP.example.test"))
        #expect(result.stderr.contains("same name as -d shop.example.test"))
    }

    @Test func aUnicodeNameAndItsALabelAreTheSameName() throws {
        let result = try Subprocess.run(binary, ["issue", "-d", "bücher.example.test", "-d", "xn--bcher-kva.example.test", "--secret", "web-tls", "--dns", "rfc2136"])
        #expect(result.status == 2, "\(result.stderr)")
        #expect(result.stderr.contains("same name"))
    }
}
