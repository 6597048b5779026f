@testable import kubectl_certs
import Testing

@Suite struct HostCoverageTests {
    @Test(arguments: [
        (["example.test"], "example.test", true),
        (["Example.Test."], "example.test", true),
        (["*.example.test"], "www.example.test", true),
        (["*.example.test"], "WWW.example.test.", true),
        (["*.example.test"], "example.test", false),
        (["*.example.test"], "a.b.example.test", false),
        (["*.example.test"], "*.example.test", true),
        (["www.example.test"], "*.example.test", false),
        (["*.example.test"], "wwwexample.test", false),
        (["a.example.test", "b.example.test"], "b.example.test", true),
        ([], "example.test", false),
    ])
    func coverage(names: [String], host: String, covered: Bool) {
        #expect(HostCoverage.covers(names, host: host) == covered)
    }

    @Test func uncoveredHostsKeepTheirOrder() {
        #expect(HostCoverage.uncovered(["c.test", "a.x.test", "b.test"], by: ["*.x.test"]) == ["c.test", "b.test"])
    }
}
