import Foundation
import TestSupport
import Testing

/// The release archive `make dist` packs: what it holds, that its binary runs here with the Swift
/// runtime linked in, and that its .sha256 is right.
@Suite(.lab) struct TarballTests {
    @Test func itHoldsExactlyTheBinaryTheCompletionHelperTheLicenseAndTheReadme() throws {
        let entries = try DistArtifacts().tarballEntries()
        #expect(entries.map(\.name).sorted() == ["LICENSE", "README.md", "kubectl-certs", "kubectl_complete-certs"])
        for entry in entries {
            #expect(entry.owner == "0/0", "\(entry.name) belongs to \(entry.owner)")
            let executable = entry.name == "kubectl-certs" || entry.name == "kubectl_complete-certs"
            #expect(entry.mode == (executable ? "-rwxr-xr-x" : "-rw-r--r--"), "\(entry.name): \(entry.mode)")
        }
    }

    @Test func itsLicenseAndReadmeAreTheRepositorysAndItsHelperIsTheOneConfigured() throws {
        let dist = try DistArtifacts()
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        let unpacked = try Subprocess.run("tar", ["-xzf", try dist.tarball.path, "-C", scratch.url.path])
        #expect(unpacked.status == 0, "\(unpacked.stderr)")
        for name in ["LICENSE", "README.md"] {
            let shipped = try Data(contentsOf: scratch.url.appendingPathComponent(name))
            #expect(shipped == (try Data(contentsOf: Lab.repositoryRoot.appendingPathComponent(name))), "\(name) differs from the repository's")
        }
        let helperSetting = ProcessInfo.processInfo.environment["COMPLETE_HELPER"] ?? "scripts/kubectl_complete-certs"
        let helper = helperSetting.hasPrefix("/") ? URL(fileURLWithPath: helperSetting) : Lab.repositoryRoot.appendingPathComponent(helperSetting)
        #expect(try Data(contentsOf: scratch.url.appendingPathComponent("kubectl_complete-certs")) == Data(contentsOf: helper))
    }

    @Test func itsBinaryRunsHereAndLinksNoSwiftRuntime() throws {
        let dist = try DistArtifacts()
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        #expect(try Subprocess.run("tar", ["-xzf", try dist.tarball.path, "-C", scratch.url.path]).status == 0)
        let binary = scratch.url.appendingPathComponent("kubectl-certs").path

        let version = try Subprocess.run(binary, ["version"])
        #expect(version.status == 0, "\(version.stderr)")
        #expect(version.stdout.split(separator: "\n").first.map(String.init) == "kubectl-certs \(dist.version)")

        let ldd = try Subprocess.run("ldd", [binary])
        #expect(ldd.status == 0, "\(ldd.stderr)")
        for runtime in ["libswift", "libFoundation", "lib_FoundationICU", "libdispatch", "libBlocksRuntime", "/opt/swift"] {
            #expect(!ldd.stdout.contains(runtime), "ldd shows \(runtime):\n\(ldd.stdout)")
        }
        #expect(!ldd.stdout.contains("not found"), "\(ldd.stdout)")

        // What the binary itself asks for: the C library, the C++ runtime the Swift runtime
        // uses, and the three libraries the plugin is written against.
        let allowed: Set = [
            "libc.so.6", "libm.so.6", "libdl.so.2", "libpthread.so.0", "librt.so.1", "libutil.so.1",
            "libstdc++.so.6", "libgcc_s.so.1", "ld-linux-x86-64.so.2", "ld-linux-aarch64.so.1",
            "libcurl.so.4", "libssl.so.3", "libcrypto.so.3", "libldns.so.3",
        ]
        let needed = try DistArtifacts.neededLibraries(of: binary)
        #expect(Set(needed).isSuperset(of: ["libcurl.so.4", "libssl.so.3", "libcrypto.so.3", "libldns.so.3"]), "\(needed)")
        #expect(Set(needed).isSubset(of: allowed), "unexpected libraries: \(Set(needed).subtracting(allowed).sorted())")
    }

    @Test func itsChecksumFileIsSha256sumsAndMatches() throws {
        let dist = try DistArtifacts()
        let text = try String(contentsOf: try dist.checksum, encoding: .utf8)
        #expect(text.wholeMatch(of: /[0-9a-f]{64}  kubectl-certs-[A-Za-z0-9._+-]+-linux-(amd64|arm64)\.tar\.gz\n/) != nil, "\(text)")
        #expect(text.hasSuffix("  \(dist.tarballName)\n"))
        let check = try Subprocess.run("/bin/sh", ["-c", "cd \"$1\" && sha256sum -c \"$2\"", "sh", dist.directory.path, try dist.checksum.lastPathComponent])
        #expect(check.status == 0, "sha256sum -c: \(check.stdout)\(check.stderr)")
    }
}
