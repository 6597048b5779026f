import Foundation
import TestSupport
import Testing

/// scripts/dist-deb-version: every version `git describe` gives becomes a valid Debian version
/// that dpkg orders as the releases are ordered.
@Suite(.lab) struct DebianVersionTests {
    @Test(arguments: [
        ("0.1.0-dev-g1a2b3c4", "0.1.0~dev+g1a2b3c4"),
        ("0.1.0-dev-g5d6e7f8-dirty", "0.1.0~dev+g5d6e7f8.dirty"),
        ("0.1.0-dev", "0.1.0~dev"),
        ("1.2.0", "1.2.0"),
        ("1.2.0-dirty", "1.2.0+dirty"),
        ("1.3.0-4-g9a8b7c6", "1.3.0+4.g9a8b7c6"),
        ("1.4.0-12-gabcdef01-dirty", "1.4.0+12.gabcdef01.dirty"),
        ("2.0.0-rc.1", "2.0.0~rc.1"),
        ("2.1.0-rc.2-3-g0f1e2d3", "2.1.0~rc.2+3.g0f1e2d3"),
    ])
    func mapsToAValidDebianVersion(version: String, debian: String) throws {
        #expect(try DistArtifacts.debianVersion(of: version) == debian)
        #expect(try Subprocess.run("dpkg", ["--validate-version", debian]).status == 0)
    }

    @Test func dpkgOrdersThemAsTheReleasesAreOrdered() throws {
        let ascending = ["0.1.0-dev", "0.1.0-dev-g1a2b3c4", "0.1.0", "0.1.0-2-g1a2b3c4", "0.1.0-10-g1a2b3c4", "1.0.0-rc.1", "1.0.0", "1.0.1"]
        let debian = try ascending.map(DistArtifacts.debianVersion(of:))
        for (lower, higher) in zip(debian, debian.dropFirst()) {
            let compared = try Subprocess.run("dpkg", ["--compare-versions", lower, "lt", higher])
            #expect(compared.status == 0, "dpkg does not order \(lower) before \(higher)")
        }
    }

    @Test(arguments: ["release-1", "1.0_1", "1.0 beta"])
    func refusesWhatCannotBeADebianVersionAndSaysWhy(version: String) throws {
        let script = Lab.repositoryRoot.appendingPathComponent("scripts/dist-deb-version").path
        let result = try Subprocess.run(script, [version])
        #expect(result.status != 0)
        #expect(result.stdout.isEmpty)
        #expect(result.stderr.contains("gives no valid Debian version") && result.stderr.contains("v1.2.3"), "\(result.stderr)")
    }
}
