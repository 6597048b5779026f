import Foundation
import TestSupport
import Testing

/// The krew manifest `make dist` writes, held to krew's documented manifest format (its
/// developer guide, and the checks `krew install --manifest` makes: apiVersion and kind, a name
/// matching the file, a one-line short description, a `v`-prefixed semantic version, and per
/// platform a uri, a 64-hex sha256, a bin, non-empty files and an os/arch selector) and to the
/// archive it was made from.
@Suite(.lab) struct KrewManifestTests {
    /// The manifest as JSON objects, read by PyYAML (the lab's YAML reader).
    static func manifest(_ dist: DistArtifacts) throws -> [String: Any] {
        let read = "import json, sys, yaml; json.dump(yaml.safe_load(open(sys.argv[1])), sys.stdout)"
        let result = try Subprocess.run("python3", ["-c", read, try dist.manifest.path])
        #expect(result.status == 0, "\(result.stderr)")
        return try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
    }

    /// Semantic versioning 2.0.0 with krew's leading `v`.
    static func isKrewVersion(_ text: String) -> Bool {
        let identifier = #"[0-9A-Za-z-]+"#
        let core = #"(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)"#
        let pattern = "v\(core)(-\(identifier)(\\.\(identifier))*)?(\\+\(identifier)(\\.\(identifier))*)?"
        return (try? Regex(pattern).wholeMatch(in: text)) != nil
    }

    @Test func itIsAKrewPluginNamedCertsOfThisVersion() throws {
        let dist = try DistArtifacts()
        let manifest = try Self.manifest(dist)
        #expect(Set(manifest.keys) == ["apiVersion", "kind", "metadata", "spec"])
        #expect(manifest["apiVersion"] as? String == "krew.googlecontainertools.github.com/v1alpha2")
        #expect(manifest["kind"] as? String == "Plugin")
        let metadata = try #require(manifest["metadata"] as? [String: Any])
        #expect(metadata["name"] as? String == "certs")
        // krew's rule: the file is named after the plugin.
        #expect(try dist.manifest.lastPathComponent == "certs.yaml")

        let spec = try #require(manifest["spec"] as? [String: Any])
        let known: Set = ["version", "homepage", "shortDescription", "description", "caveats", "platforms"]
        #expect(Set(spec.keys).isSubset(of: known), "fields krew does not know: \(Set(spec.keys).subtracting(known))")
        let version = try #require(spec["version"] as? String)
        #expect(version == "v\(dist.version)")
        #expect(Self.isKrewVersion(version), "\(version) is not a v-prefixed semantic version")
        let homepage = try #require(spec["homepage"] as? String)
        #expect(homepage.hasPrefix("https://"))
        let short = try #require(spec["shortDescription"] as? String)
        #expect(!short.isEmpty && !short.contains("\n") && !short.contains("\r"))
        #expect((spec["description"] as? String)?.count ?? 0 > short.count)
        let caveats = try #require(spec["caveats"] as? String)
        for library in ["libcurl", "OpenSSL 3", "libldns"] {
            #expect(caveats.contains(library), "the caveats do not name \(library)")
        }
    }

    @Test func itsPlatformIsTheArchiveJustBuiltWithItsChecksumAndFiles() throws {
        let dist = try DistArtifacts()
        let spec = try #require(try Self.manifest(dist)["spec"] as? [String: Any])
        let platforms = try #require(spec["platforms"] as? [[String: Any]])
        #expect(platforms.count == 1)
        let platform = try #require(platforms.first)
        #expect(Set(platform.keys) == ["selector", "uri", "sha256", "bin", "files"])

        let selector = try #require(platform["selector"] as? [String: Any])
        #expect(Set(selector.keys) == ["matchLabels"])
        #expect(selector["matchLabels"] as? [String: String] == ["os": "linux", "arch": dist.arch])

        let base = ProcessInfo.processInfo.environment["RELEASE_DOWNLOAD_URL"] ?? "https://github.com/kubectl-certs/kubectl-certs/releases/download"
        #expect(platform["uri"] as? String == "\(base)/v\(dist.version)/\(dist.tarballName)")

        let sha256 = try #require(platform["sha256"] as? String)
        #expect(sha256.wholeMatch(of: /[a-f0-9]{64}/) != nil)
        let actual = try Subprocess.run("sha256sum", [try dist.tarball.path]).stdout.prefix(64)
        #expect(sha256 == actual, "the manifest's sha256 is not the archive's")

        // krew extracts what `files` names (each `from` must match something in the archive),
        // then links `bin` from where the files went.
        let listed = Set(try dist.tarballEntries().map(\.name))
        let files = try #require(platform["files"] as? [[String: String]])
        #expect(!files.isEmpty)
        for file in files {
            #expect(Set(file.keys) == ["from", "to"])
            let from = try #require(file["from"])
            #expect(listed.contains(from), "files: \(from) is not in the archive")
            #expect(file["to"] == ".")
        }
        let bin = try #require(platform["bin"] as? String)
        #expect(bin == "kubectl-certs")
        #expect(files.contains { $0["from"] == bin }, "bin \(bin) is not among the files krew extracts")
        #expect(files.contains { $0["from"] == "kubectl_complete-certs" })
    }

    @Test(arguments: [
        ("v0.1.0-dev-g1a2b3c4", true), ("v1.2.0-3-g1a2b3c4-dirty", true), ("v2.0.0", true),
        ("v1.4.0+build.7", true), ("0.1.0", false), ("v1.2", false), ("v01.2.3", false), ("v1.2.3-", false),
    ])
    func theVersionRuleIsKrews(version: String, valid: Bool) {
        #expect(Self.isKrewVersion(version) == valid, "\(version)")
    }
}
