import Foundation
import TestSupport
import Testing

/// scripts/dist-install, which `make install` runs: the same files as the Debian package, under
/// DESTDIR/PREFIX, with zsh's completion where a PREFIX install's zsh looks.
@Suite(.lab) struct InstallTreeTests {
    @Test func itInstallsTheBinaryTheHelperThePagesAndTheCompletionsUnderThePrefix() throws {
        // generate-manual comes from the swift-argument-parser checkout `make dist` built with.
        let scratchPath = Lab.repositoryRoot.appendingPathComponent(ProcessInfo.processInfo.environment["DIST_BUILD_DIR"] ?? ".build-dist")
        try #require(FileManager.default.fileExists(atPath: scratchPath.appendingPathComponent("checkouts/swift-argument-parser").path),
                     "\(scratchPath.path) has no swift-argument-parser checkout: run `make dist deb` (make test does)")
        let destination = try ScratchDirectory()
        defer { destination.remove() }
        let binary = Subprocess.buildDirectory.appendingPathComponent("kubectl-certs").path
        let install = try Subprocess.run(
            Lab.repositoryRoot.appendingPathComponent("scripts/dist-install").path, [binary, scratchPath.path],
            environment: ["DESTDIR": destination.url.path, "PREFIX": "/opt/kubectl-certs-install-test"])
        try #require(install.status == 0, "scripts/dist-install: \(install.stderr)")

        let prefix = destination.url.appendingPathComponent("opt/kubectl-certs-install-test")
        let installed = try FileManager.default.subpathsOfDirectory(atPath: prefix.path).filter {
            var isDirectory: ObjCBool = false
            return FileManager.default.fileExists(atPath: prefix.appendingPathComponent($0).path, isDirectory: &isDirectory) && !isDirectory.boolValue
        }
        let pages = try DistArtifacts.commandPaths().map { "share/man/man1/\($0.joined(separator: "-")).1.gz" }
        #expect(Set(installed) == Set(pages + [
            "bin/kubectl-certs",
            "bin/kubectl_complete-certs",
            "share/bash-completion/completions/kubectl-certs",
            "share/zsh/site-functions/_kubectl-certs",
            "share/fish/vendor_completions.d/kubectl-certs.fish",
        ]))
        let installedBinary = prefix.appendingPathComponent("bin/kubectl-certs").path
        #expect(FileManager.default.isExecutableFile(atPath: installedBinary))
        #expect(try Subprocess.run(installedBinary, ["--version"]).stdout == (try Subprocess.run(binary, ["--version"]).stdout))
        // Each page is a gzipped manual page for its command.
        let page = try Subprocess.run("/bin/sh", ["-c", "gzip -dc \"$1\" | head -5", "sh", prefix.appendingPathComponent("share/man/man1/kubectl-certs-providers-show.1.gz").path])
        #expect(page.stdout.contains(".Dt KUBECTL-CERTS-PROVIDERS-SHOW 1"), "\(page.stdout)")
        let bash = try String(contentsOf: prefix.appendingPathComponent("share/bash-completion/completions/kubectl-certs"), encoding: .utf8)
        #expect(bash.contains("kubectl-certs"))
    }
}
