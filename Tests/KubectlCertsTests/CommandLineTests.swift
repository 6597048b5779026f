import Foundation
import TestSupport
import Testing

/// The built binary, run as users run it: directly and through the real kubectl.
@Suite(.lab) struct CommandLineTests {
    let binary = Subprocess.buildDirectory.appendingPathComponent("kubectl-certs").path

    @Test func versionNamesTheLinkedLibraries() throws {
        let result = try Subprocess.run(binary, ["version"])
        #expect(result.status == 0)
        #expect(result.stdout.hasPrefix("kubectl-certs "))
        #expect(result.stdout.contains("libcurl 7."))
        #expect(result.stdout.contains("OpenSSL 3."))
        #expect(result.stdout.contains("ldns 1."))
    }

    @Test func versionAsJSONIsMachineReadable() throws {
        let result = try Subprocess.run(binary, ["version", "-o", "json"])
        #expect(result.status == 0)
        let object = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: String]
        #expect(object?["ldns"]?.hasPrefix("1.") == true)
        #expect(object?.keys.sorted() == ["ldns", "libcurl", "openssl", "version"])
    }

    @Test func helpListsTheCommandSurface() throws {
        let result = try Subprocess.run(binary, ["--help"])
        #expect(result.status == 0)
        for command in ["status", "issue", "renew", "providers", "dns", "version"] {
            #expect(result.stdout.contains("  \(command)"), "help does not list \(command)")
        }
    }

    @Test func usageErrorsExitTwo() throws {
        let unknownFlag = try Subprocess.run(binary, ["version", "--no-such-flag"])
        #expect(unknownFlag.status == 2)
        #expect(unknownFlag.stderr.contains("--no-such-flag"))
        let badDuration = try Subprocess.run(binary, ["version", "--request-timeout", "soon"])
        #expect(badDuration.status == 2)
        #expect(badDuration.stderr.contains("--request-timeout soon"))
    }

    @Test func kubectlFindsThePluginOnPath() throws {
        let path = "\(Subprocess.buildDirectory.path):\(ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin")"
        let list = try Subprocess.run("kubectl", ["plugin", "list"], environment: ["PATH": path])
        #expect(list.stdout.contains("\(Subprocess.buildDirectory.path)/kubectl-certs"), "kubectl plugin list: \(list.stdout) \(list.stderr)")
        let version = try Subprocess.run("kubectl", ["certs", "version"], environment: ["PATH": path])
        #expect(version.status == 0, "kubectl certs version: \(version.stderr)")
        #expect(version.stdout.contains("kubectl-certs "))
    }
}
