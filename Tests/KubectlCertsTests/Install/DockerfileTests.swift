@testable import kubectl_certs
import Foundation
import TestSupport
import Testing

/// No container engine runs here, so the image cannot be built; this holds the Dockerfile to
/// what can be checked: the Debian packages it installs exist and cover the libraries the binary
/// links, it runs as the UID the CronJob's pod demands, and its entrypoint is the binary.
@Suite(.lab) struct DockerfileTests {
    struct Dockerfile {
        /// Each stage: its `FROM` and its instructions (continuation lines joined).
        var stages: [(from: String, instructions: [String])] = []

        init() throws {
            let text = try String(contentsOf: Lab.repositoryRoot.appendingPathComponent("Dockerfile"), encoding: .utf8)
            var logical: [String] = []
            var pending = ""
            for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
                let trimmed = line.trimmingCharacters(in: .whitespaces)
                if pending.isEmpty && (trimmed.isEmpty || trimmed.hasPrefix("#")) { continue }
                if trimmed.hasSuffix("\\") {
                    pending += trimmed.dropLast() + " "
                } else {
                    logical.append(pending + trimmed)
                    pending = ""
                }
            }
            for instruction in logical {
                if instruction.uppercased().hasPrefix("FROM ") {
                    stages.append((String(instruction.dropFirst(5)), []))
                } else if !stages.isEmpty {
                    stages[stages.count - 1].instructions.append(instruction)
                }
            }
        }

        var runtime: (from: String, instructions: [String]) { stages.last! }

        func instruction(_ keyword: String, in stage: (from: String, instructions: [String])) -> String? {
            stage.instructions.last { $0.uppercased().hasPrefix(keyword + " ") }.map { String($0.dropFirst(keyword.count + 1)) }
        }

        /// The packages an `apt-get install` in the stage names.
        func packages(in stage: (from: String, instructions: [String])) -> [String] {
            stage.instructions.flatMap { instruction -> [String] in
                guard let range = instruction.range(of: "apt-get install") else { return [] }
                let rest = instruction[range.upperBound...].split(separator: "&&").first ?? ""
                return rest.split(separator: " ").map(String.init).filter { !$0.hasPrefix("-") }
            }
        }
    }

    @Test func twoStagesBuildTheBinaryWithItsSwiftRuntimeLinkedInAndRunItOnBookwormSlim() throws {
        let file = try Dockerfile()
        #expect(file.stages.count == 2)
        let build = try #require(file.stages.first)
        #expect(build.from.hasPrefix("swift:6.") && build.from.contains("-bookworm"), "\(build.from)")
        #expect(build.instructions.contains { $0.contains("swift build -c release --static-swift-stdlib --product kubectl-certs") })
        #expect(file.runtime.from == "debian:bookworm-slim")
        #expect(file.packages(in: file.runtime).sorted() == ["ca-certificates", "libcurl4", "libldns3", "libssl3"])
        #expect(file.packages(in: build).sorted() == ["libcurl4-openssl-dev", "libldns-dev", "libssl-dev"])
    }

    @Test func theBuildStageCopiesEverythingPackageSwiftBuildsFrom() throws {
        let build = try #require(try Dockerfile().stages.first)
        let copied = build.instructions.filter { $0.hasPrefix("COPY ") }.compactMap { $0.split(separator: " ").dropFirst().first }
        // Sources and test targets, and the build-tool plugin that writes the version.
        for path in ["Package.swift", "Sources", "Tests", "Plugins"] {
            #expect(copied.contains(Substring(path)), "the Dockerfile does not COPY \(path)")
        }
    }

    @Test func everyPackageExistsInDebian() async throws {
        let file = try Dockerfile()
        for package in file.stages.flatMap(file.packages(in:)) {
            let shown = try await Subprocess.run("apt-cache", ["show", "--no-all-versions", package])
            #expect(shown.status == 0 && shown.stdout.contains("Package: \(package)\n"), "apt-cache show \(package): \(shown.stderr)")
        }
    }

    @Test func theRuntimePackagesProvideEveryLibraryTheBinaryLinksBesidesSwiftsOwn() async throws {
        let file = try Dockerfile()
        // In every Debian image: libc6 is essential, and apt itself needs libstdc++6 and libgcc-s1.
        let available = Set(file.packages(in: file.runtime) + ["libc6", "libstdc++6", "libgcc-s1"])
        let binary = Subprocess.buildDirectory.appendingPathComponent("kubectl-certs").path
        let ldd = try await Subprocess.run("ldd", [binary])
        #expect(ldd.status == 0, "\(ldd.stderr)")
        let needed = try await Subprocess.run("readelf", ["-d", binary]).stdout.split(separator: "\n").compactMap { line -> String? in
            guard line.contains("(NEEDED)"), let open = line.firstIndex(of: "["), let close = line.lastIndex(of: "]") else { return nil }
            return String(line[line.index(after: open)..<close])
        }
        #expect(needed.contains("libcurl.so.4") && needed.contains("libldns.so.3") && needed.contains("libssl.so.3"))
        var checked = 0
        for library in needed {
            let resolved = ldd.stdout.split(separator: "\n").first { $0.contains(library) } ?? ""
            // The Swift runtime and Foundation come from the toolchain and are linked in statically.
            if resolved.contains("/lib/swift/") { continue }
            let owners = try await Subprocess.run("dpkg", ["-S", "*/\(library)"]).stdout.split(separator: "\n")
                .filter { $0.contains(":amd64:") || !$0.contains(":") }
                .compactMap { $0.split(separator: ":").first.map(String.init) }
            #expect(!owners.isEmpty, "no Debian package holds \(library)")
            #expect(owners.contains(where: available.contains), "\(library) comes from \(owners), which the image does not install")
            checked += 1
        }
        #expect(checked >= 6, "\(needed)")
    }

    @Test func itRunsAsTheUserThePodDemandsAndItsEntrypointIsTheBinary() throws {
        let file = try Dockerfile()
        let user = try #require(file.instruction("USER", in: file.runtime))
        #expect(user == "\(RenewalInstallation.runAsUser):\(RenewalInstallation.runAsUser)")
        #expect(RenewalInstallation.runAsUser != 0)
        #expect(file.instruction("ENTRYPOINT", in: file.runtime) == #"["kubectl-certs"]"#)
        // The entrypoint is found on PATH, under the name the build gives the binary.
        #expect(file.runtime.instructions.contains { $0.hasPrefix("COPY --from=") && $0.hasSuffix(" /usr/local/bin/kubectl-certs") })
        #expect(FileManager.default.isExecutableFile(atPath: Subprocess.buildDirectory.appendingPathComponent("kubectl-certs").path))
    }
}
