import Foundation
import TestSupport
import Testing

/// The Debian package `make deb` builds: its control fields and contents, then installed on this
/// machine with dpkg, run through the real kubectl, and removed without a trace.
@Suite(.lab) struct DebianPackageTests {
    static func field(_ name: String, of deb: URL) throws -> String {
        try Subprocess.run("dpkg-deb", ["-f", deb.path, name]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// The files (not directories) the package holds, as absolute paths, with mode and owner.
    static func contents(of deb: URL) throws -> [(mode: String, owner: String, path: String)] {
        let listing = try Subprocess.run("dpkg-deb", ["-c", deb.path])
        #expect(listing.status == 0, "\(listing.stderr)")
        return listing.stdout.split(separator: "\n").compactMap { line in
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            guard let name = fields.last, !name.hasSuffix("/"), fields.count >= 6 else { return nil }
            return (String(fields[0]), String(fields[1]), String(name.dropFirst()))  // "./usr/..." -> "/usr/..."
        }
    }

    @Test func itsControlFieldsNameThePackageItsVersionAndTheLibrariesItLinks() throws {
        let dist = try DistArtifacts()
        let deb = try dist.deb
        #expect(try Self.field("Package", of: deb) == "kubectl-certs")
        #expect(try Self.field("Version", of: deb) == DistArtifacts.debianVersion(of: dist.version))
        let architecture = try Subprocess.run("dpkg", ["--print-architecture"]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(try Self.field("Architecture", of: deb) == architecture)
        #expect(try !Self.field("Maintainer", of: deb).isEmpty)
        #expect(try Self.field("Description", of: deb).contains("kubectl certs status"))

        // Each alternative's package name, without version constraints.
        let depends = try Self.field("Depends", of: deb)
        let packages = Set(depends.split(whereSeparator: { $0 == "," || $0 == "|" }).compactMap {
            $0.split(separator: " ").first.map(String.init)
        })
        #expect(packages.isSuperset(of: ["libcurl4", "libssl3", "libldns3"]), "Depends: \(depends)")

        // Every library the shipped binary links comes from a package it depends on.
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        #expect(try Subprocess.run("dpkg-deb", ["-x", deb.path, scratch.url.path]).status == 0)
        let binary = scratch.url.appendingPathComponent("usr/bin/kubectl-certs").path
        for library in try DistArtifacts.neededLibraries(of: binary) {
            let owners = try Subprocess.run("dpkg", ["-S", "*/\(library)"]).stdout.split(separator: "\n")
                .compactMap { $0.split(separator: ":").first.map(String.init) }
            #expect(owners.contains(where: packages.contains), "\(library) comes from \(owners), not from Depends: \(depends)")
        }
    }

    @Test func itHoldsTheBinaryTheHelperAPagePerCommandTheCompletionsAndTheCopyright() throws {
        let dist = try DistArtifacts()
        let contents = try Self.contents(of: try dist.deb)
        let pages = try DistArtifacts.commandPaths().map { "/usr/share/man/man1/\($0.joined(separator: "-")).1.gz" }
        #expect(pages.contains("/usr/share/man/man1/kubectl-certs-status.1.gz"))
        let expected = Set(pages + [
            "/usr/bin/kubectl-certs",
            "/usr/bin/kubectl_complete-certs",
            "/usr/share/bash-completion/completions/kubectl-certs",
            "/usr/share/zsh/vendor-completions/_kubectl-certs",
            "/usr/share/fish/vendor_completions.d/kubectl-certs.fish",
            "/usr/share/doc/kubectl-certs/copyright",
        ])
        #expect(Set(contents.map(\.path)) == expected)
        for file in contents {
            #expect(file.owner == "root/root", "\(file.path): \(file.owner)")
            let executable = file.path.hasPrefix("/usr/bin/")
            #expect(file.mode == (executable ? "-rwxr-xr-x" : "-rw-r--r--"), "\(file.path): \(file.mode)")
        }
    }

    /// Installs the package on this machine (the tests run as root), so it must not be installed
    /// already, and removes it however the test ends.
    @Test func itInstallsRunsThroughKubectlAndRemovesCleanly_WithDpkg() throws {
        let dist = try DistArtifacts()
        let deb = try dist.deb
        try #require(getuid() == 0, "installing a .deb needs root: run the tests as root")
        let before = try Subprocess.run("dpkg-query", ["-W", "-f", "${Status}", "kubectl-certs"]).stdout
        try #require(!before.contains(" installed"), "a kubectl-certs package is installed already (\(before)): remove it with dpkg -r kubectl-certs first")
        let files = try Self.contents(of: deb).map(\.path)

        let install = try Subprocess.run("dpkg", ["-i", deb.path])
        defer {
            let remove = try? Subprocess.run("dpkg", ["-r", "kubectl-certs"])
            #expect(remove?.status == 0, "dpkg -r kubectl-certs: \(remove?.stderr ?? "did not run")")
            for file in files {
                #expect(!FileManager.default.fileExists(atPath: file), "\(file) is still there after dpkg -r")
            }
            let after = (try? Subprocess.run("dpkg-query", ["-W", "-f", "${Status}", "kubectl-certs"]).stdout) ?? ""
            #expect(!after.contains(" installed"), "dpkg still lists kubectl-certs: \(after)")
        }
        try #require(install.status == 0, "dpkg -i: \(install.stdout)\(install.stderr)")

        // Only the system's directories on PATH, so that kubectl can find no other kubectl-certs
        // (a `make install` in /usr/local/bin, the build directory).
        let environment = ["PATH": "/usr/bin:/bin", "MANPATH": "", "NO_COLOR": "1"]
        let found = try Subprocess.run("/bin/sh", ["-c", "command -v kubectl-certs"], environment: environment)
        #expect(found.stdout == "/usr/bin/kubectl-certs\n")
        let plugins = try Subprocess.run("kubectl", ["plugin", "list", "--name-only=false"], environment: environment)
        let firstCerts = plugins.stdout.split(separator: "\n").first { $0.hasSuffix("/kubectl-certs") }
        #expect(firstCerts == "/usr/bin/kubectl-certs", "kubectl plugin list: \(plugins.stdout)\(plugins.stderr)")

        let version = try Subprocess.run("kubectl", ["certs", "version"], environment: environment)
        #expect(version.status == 0, "kubectl certs version: \(version.stderr)")
        #expect(version.stdout.split(separator: "\n").first.map(String.init) == "kubectl-certs \(dist.version)")

        let page = try Subprocess.run("man", ["-w", "kubectl-certs-status"], environment: environment)
        #expect(page.stdout == "/usr/share/man/man1/kubectl-certs-status.1.gz\n", "man -w: \(page.stderr)")
        let rendered = try Subprocess.run("man", ["-P", "cat", "kubectl-certs-status"], environment: environment.merging(["MANWIDTH": "80"]) { $1 })
        #expect(rendered.status == 0 && rendered.stdout.contains("kubectl-certs status"), "man kubectl-certs-status: \(rendered.stderr)")
    }
}
