import Foundation
import TestSupport
import Testing

/// The version the binary reports is `git describe` of the checkout it was built from, written
/// at build time by Plugins/GitVersion; its script is held here to each kind of checkout.
@Suite(.lab) struct GitVersionTests {
    static let script = Lab.repositoryRoot.appendingPathComponent("Plugins/GitVersion/git-version.sh").path
    /// Git without the machine's or the user's configuration, with an author for commits.
    static let gitEnvironment = [
        "GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": "/dev/null",
        "GIT_AUTHOR_NAME": "Version Test", "GIT_AUTHOR_EMAIL": "version-test@example.test",
        "GIT_COMMITTER_NAME": "Version Test", "GIT_COMMITTER_EMAIL": "version-test@example.test",
    ]

    /// Docker's grammar for a tag: the version is also the default image's tag.
    static func isImageTag(_ text: String) -> Bool {
        text.wholeMatch(of: /[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}/) != nil
    }

    @discardableResult
    static func git(_ directory: URL, _ arguments: String...) throws -> String {
        let result = try Subprocess.run("git", ["-C", directory.path] + arguments, environment: gitEnvironment)
        guard result.status == 0 else { throw GitFailed(message: "git \(arguments.joined(separator: " ")): \(result.stderr)") }
        return result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    struct GitFailed: Error, CustomStringConvertible { var message: String; var description: String { message } }

    /// A repository with one committed file, `name`, holding `text`.
    static func repository(_ scratch: ScratchDirectory, file name: String, text: String) throws -> URL {
        let repository = scratch.url.appendingPathComponent("checkout")
        try FileManager.default.createDirectory(at: repository, withIntermediateDirectories: true)
        try git(repository, "init", "-q")
        try Data(text.utf8).write(to: repository.appendingPathComponent(name))
        try git(repository, "add", name)
        try git(repository, "commit", "-q", "-m", "first")
        return repository
    }

    struct Written {
        var status: Int32
        var stderr: String
        var file: URL
        var text: String? { try? String(contentsOf: file, encoding: .utf8) }
        /// The string literal the Swift file gives `GitDescribe.version`.
        var version: String? {
            text?.firstMatch(of: /static let version = "([^"]*)"/).map { String($0.1) }
        }
    }

    /// Runs the script as the plugin does, for `package`, writing into `output`.
    static func write(package: URL, output: URL) throws -> Written {
        let file = output.appendingPathComponent("GitDescribe.swift")
        let result = try Subprocess.run("/bin/sh", [script, package.path, file.path], environment: gitEnvironment)
        return Written(status: result.status, stderr: result.stderr, file: file)
    }

    @Test func theBuiltBinaryReportsGitDescribeOfThisCheckout() async throws {
        let described = try Self.git(Lab.repositoryRoot, "describe", "--tags", "--match", "v*", "--dirty", "--always")
        let expected = described.hasPrefix("v") ? String(described.dropFirst()) : "0.1.0-dev-g" + described
        let binary = Subprocess.buildDirectory.appendingPathComponent("kubectl-certs").path
        let hint = "git describe says \(described): was the binary built from another state of this checkout? Build again."
        let flag = try await Subprocess.run(binary, ["--version"])
        #expect(flag.status == 0)
        #expect(flag.stdout == expected + "\n", "\(hint)")
        let command = try await Subprocess.run(binary, ["version", "-o", "json"])
        let report = try JSONSerialization.jsonObject(with: Data(command.stdout.utf8)) as? [String: String]
        #expect(report?["version"] == expected, "\(hint)")
        #expect(Self.isImageTag(expected))
    }

    @Test func withoutGitItIsTheDevelopmentVersion() throws {
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        let written = try Self.write(package: scratch.url, output: scratch.url.appendingPathComponent("out-nogit"))
        #expect(written.status == 0, "\(written.stderr)")
        #expect(written.version == "0.1.0-dev")
        #expect(written.text?.contains("enum GitDescribe {") == true)
    }

    @Test func sourcesUnpackedInsideAnotherCheckoutDoNotTakeItsVersion() throws {
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        let outer = try Self.repository(scratch, file: "outer.txt", text: "outer\n")
        try Self.git(outer, "tag", "v7.7.7")
        let package = outer.appendingPathComponent("vendored/kubectl-certs")
        try FileManager.default.createDirectory(at: package, withIntermediateDirectories: true)
        let written = try Self.write(package: package, output: scratch.url.appendingPathComponent("out-nested"))
        #expect(written.status == 0, "\(written.stderr)")
        #expect(written.version == "0.1.0-dev")
    }

    @Test func beforeTheFirstReleaseTagItNamesTheCommit() throws {
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        let repository = try Self.repository(scratch, file: "untagged.txt", text: "untagged\n")
        try Self.git(repository, "tag", "build-41")  // not a release tag
        let commit = try Self.git(repository, "rev-parse", "--short", "HEAD")
        let written = try Self.write(package: repository, output: scratch.url.appendingPathComponent("out-untagged"))
        #expect(written.status == 0, "\(written.stderr)")
        #expect(written.version == "0.1.0-dev-g\(commit)")
        #expect(written.version.map(Self.isImageTag) == true)
    }

    @Test func aReleaseTagIsTheVersionWithoutItsV() throws {
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        let repository = try Self.repository(scratch, file: "tagged.txt", text: "tagged\n")
        try Self.git(repository, "tag", "-a", "v2.3.4", "-m", "2.3.4")
        let written = try Self.write(package: repository, output: scratch.url.appendingPathComponent("out-tagged"))
        #expect(written.status == 0, "\(written.stderr)")
        #expect(written.version == "2.3.4")
    }

    @Test func commitsAfterTheTagAndLocalChangesShow() throws {
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        let repository = try Self.repository(scratch, file: "later.txt", text: "one\n")
        try Self.git(repository, "tag", "v3.1.0")
        try Data("two\n".utf8).write(to: repository.appendingPathComponent("later.txt"))
        try Self.git(repository, "commit", "-q", "-a", "-m", "second")
        let commit = try Self.git(repository, "rev-parse", "--short", "HEAD")
        let output = scratch.url.appendingPathComponent("out-later")
        let clean = try Self.write(package: repository, output: output)
        #expect(clean.version == "3.1.0-1-g\(commit)")
        try Data("three\n".utf8).write(to: repository.appendingPathComponent("later.txt"))
        let dirty = try Self.write(package: repository, output: output)
        #expect(dirty.version == "3.1.0-1-g\(commit)-dirty")
        #expect(dirty.version.map(Self.isImageTag) == true)
    }

    @Test func theFileIsRewrittenOnlyWhenTheVersionChanges() throws {
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        let repository = try Self.repository(scratch, file: "steady.txt", text: "steady\n")
        try Self.git(repository, "tag", "v5.0.0")
        let output = scratch.url.appendingPathComponent("out-steady")
        func inode(_ written: Written) throws -> Int? {
            try FileManager.default.attributesOfItem(atPath: written.file.path)[.systemFileNumber] as? Int
        }
        let first = try Self.write(package: repository, output: output)
        let firstInode = try inode(first)
        let again = try Self.write(package: repository, output: output)
        #expect(first.version == "5.0.0" && again.version == "5.0.0")
        #expect(try inode(again) == firstInode, "the same text was written again")
        try Data("steadier\n".utf8).write(to: repository.appendingPathComponent("steady.txt"))
        try Self.git(repository, "commit", "-q", "-a", "-m", "next")
        try Self.git(repository, "tag", "v5.0.1")
        let moved = try Self.write(package: repository, output: output)
        #expect(moved.version == "5.0.1")
        #expect(try inode(moved) != firstInode)
    }

    @Test func aTagThatCannotBeAVersionStopsTheBuildAndSaysWhy() throws {
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        let repository = try Self.repository(scratch, file: "quoted.txt", text: "quoted\n")
        try Self.git(repository, "tag", #"v1"2"#)
        let written = try Self.write(package: repository, output: scratch.url.appendingPathComponent("out-quoted"))
        #expect(written.status != 0)
        #expect(written.stderr.contains(#"git describe gave "1"2""#))
        #expect(written.stderr.contains("name release tags v1.2.3"))
        #expect(written.text == nil)
    }
}
