import Foundation
import TestSupport
import Testing

/// What `make dist deb` left in DIST_DIR (`dist` at the repository root unless set) for this
/// checkout: the packaging tests read these and fail, never skip, when one is missing.
struct DistArtifacts {
    /// The version this checkout's build reports (the debug binary's, built from the same state).
    let version: String
    /// `amd64` or `arm64`, as the archive's name and the krew selector say it.
    let arch: String
    let directory: URL

    struct Missing: Error, CustomStringConvertible {
        var description: String
    }

    static var directory: URL {
        let setting = ProcessInfo.processInfo.environment["DIST_DIR"] ?? "dist"
        return setting.hasPrefix("/") ? URL(fileURLWithPath: setting) : Lab.repositoryRoot.appendingPathComponent(setting)
    }

    init() throws {
        let binary = Subprocess.buildDirectory.appendingPathComponent("kubectl-certs").path
        version = try Subprocess.run(binary, ["--version"]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let machine = try Subprocess.run("uname", ["-m"]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        switch machine {
        case "x86_64", "amd64": arch = "amd64"
        case "aarch64", "arm64": arch = "arm64"
        default: throw Missing(description: "no release archive is made for machine type \(machine)")
        }
        directory = Self.directory
    }

    var tarballName: String { "kubectl-certs-\(version)-linux-\(arch).tar.gz" }

    /// An artifact of this version; throws, saying how to make it, when it is not there.
    func require(_ name: String) throws -> URL {
        let url = directory.appendingPathComponent(name)
        guard FileManager.default.fileExists(atPath: url.path) else {
            throw Missing(description: "\(url.path) is missing: run `make dist deb` (make test does) after building this checkout (version \(version))")
        }
        return url
    }

    var tarball: URL { get throws { try require(tarballName) } }
    var checksum: URL { get throws { try require(tarballName + ".sha256") } }
    var manifest: URL { get throws { try require("certs.yaml") } }
    var deb: URL {
        get throws {
            let debianVersion = try Self.debianVersion(of: version)
            let architecture = try Subprocess.run("dpkg", ["--print-architecture"]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
            return try require("kubectl-certs_\(debianVersion)_\(architecture).deb")
        }
    }

    /// The Debian version scripts/dist-deb-version gives `version`.
    static func debianVersion(of version: String) throws -> String {
        let script = Lab.repositoryRoot.appendingPathComponent("scripts/dist-deb-version").path
        let result = try Subprocess.run(script, [version])
        guard result.status == 0 else { throw Missing(description: "scripts/dist-deb-version \(version): \(result.stderr)") }
        return result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// The entries of the archive, as `tar -tv` lists them: mode, owner/group, name.
    func tarballEntries() throws -> [(mode: String, owner: String, name: String)] {
        let listing = try Subprocess.run("tar", ["--numeric-owner", "-tvzf", try tarball.path])
        guard listing.status == 0 else { throw Missing(description: "tar -tvzf \(tarballName): \(listing.stderr)") }
        return listing.stdout.split(separator: "\n").map { line in
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            return (String(fields[0]), String(fields[1]), String(fields.last ?? ""))
        }
    }

    /// The libraries an ELF file names as NEEDED.
    static func neededLibraries(of path: String) throws -> [String] {
        try Subprocess.run("readelf", ["-d", path]).stdout.split(separator: "\n").compactMap { line in
            guard line.contains("(NEEDED)"), let open = line.firstIndex(of: "["), let close = line.lastIndex(of: "]") else { return nil }
            return String(line[line.index(after: open)..<close])
        }
    }

    /// Every command's path in the binary's command tree (`kubectl-certs`, `kubectl-certs status`,
    /// `kubectl-certs providers show`, ...), from ArgumentParser's help dump.
    static func commandPaths() throws -> [[String]] {
        let binary = Subprocess.buildDirectory.appendingPathComponent("kubectl-certs").path
        let dump = try Subprocess.run(binary, ["--experimental-dump-help"])
        let object = try JSONSerialization.jsonObject(with: Data(dump.stdout.utf8)) as? [String: Any]
        func walk(_ command: [String: Any], _ parents: [String]) -> [[String]] {
            let path = parents + [command["commandName"] as? String ?? "?"]
            let children = command["subcommands"] as? [[String: Any]] ?? []
            return [path] + children.flatMap { walk($0, path) }
        }
        guard let root = object?["command"] as? [String: Any] else {
            throw Missing(description: "kubectl-certs --experimental-dump-help gave no command tree: \(dump.stderr)")
        }
        return walk(root, [])
    }
}
