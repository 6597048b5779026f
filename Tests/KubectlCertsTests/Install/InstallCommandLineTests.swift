import CertCore
import Foundation
import TestSupport
import Testing
import Yams

/// `kubectl certs install --dry-run` and the flags of install and uninstall, run as the built
/// binary; nothing here needs a cluster.
@Suite(.lab) struct InstallCommandLineTests {
    let binary = Subprocess.buildDirectory.appendingPathComponent("kubectl-certs").path

    func dryRun(_ arguments: [String]) async throws -> Subprocess.Result {
        // No kubeconfig anywhere: a dry run must not need a cluster.
        try await Subprocess.run(binary, ["install", "--dry-run"] + arguments, environment: ["KUBECONFIG": "/nonexistent/kubeconfig", "HOME": "/nonexistent"])
    }

    func documents(_ yaml: String) throws -> [JSONValue] {
        try Yams.load_all(yaml: yaml).compactMap { $0 }.map { try JSONValue.decode(try JSONSerialization.data(withJSONObject: $0)) }
    }

    @Test func yamlIsAStreamOfOneDocumentPerObject() async throws {
        let result = try await dryRun(["--schedule", "*/30 * * * *", "--image", "registry.example.test/kc:1"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.hasPrefix("---\n"))
        let objects = try documents(result.stdout)
        #expect(objects.compactMap { $0["kind"]?.stringValue } == ["Namespace", "ServiceAccount", "ClusterRole", "ClusterRoleBinding", "CronJob"])
        // A schedule starting with '*' must come back as the same string, not a YAML alias.
        #expect(objects.last?["spec"]?["schedule"] == "*/30 * * * *")
        #expect(objects.last?["spec"]?["jobTemplate"]?["spec"]?["template"]?["spec"]?["containers"]?.arrayValue?.first?["image"] == "registry.example.test/kc:1")
        #expect(!result.stderr.contains("note:"), "an image was given: \(result.stderr)")
    }

    @Test func jsonIsAListOfTheSameObjects() async throws {
        let common = ["--schedule", "@daily", "--image", "registry.example.test/kc:2", "-n", "ops", "--shards", "4", "--env-from-secret", "dns"]
        let yaml = try await dryRun(common + ["-o", "yaml"])
        let json = try await dryRun(common + ["-o", "json"])
        #expect(yaml.status == 0 && json.status == 0, "\(yaml.stderr) \(json.stderr)")
        let list = try JSONValue.decode(Data(json.stdout.utf8))
        #expect(list["apiVersion"] == "v1" && list["kind"] == "List")
        #expect(list["items"]?.arrayValue == (try documents(yaml.stdout)))
        #expect(list["items"]?.arrayValue?.count == 4, "-n names the user's namespace: no Namespace object")
    }

    @Test func withoutAnImageTheDefaultIsNamedAndSaidToBeUnpublished() async throws {
        let result = try await dryRun([])
        #expect(result.status == 0, "\(result.stderr)")
        let cronJob = try #require(try documents(result.stdout).last)
        let image = try #require(cronJob["spec"]?["jobTemplate"]?["spec"]?["template"]?["spec"]?["containers"]?.arrayValue?.first?["image"]?.stringValue)
        #expect(image.hasPrefix("kubectl-certs:"))
        #expect(result.stderr.contains("note: the image \(image) is not published anywhere"))
        #expect(result.stderr.contains("--image"))
    }

    @Test func withoutAScheduleEachInstallPicksItsOwnTimeTwiceADay() async throws {
        var seen = Set<String>()
        for _ in 0..<6 {
            let cronJob = try #require(try documents(try await dryRun(["--image", "x/kc:1"]).stdout).last)
            let schedule = try #require(cronJob["spec"]?["schedule"]?.stringValue)
            #expect(schedule.hasSuffix(" * * *") && schedule.split(separator: " ")[1].contains(","), "\(schedule)")
            seen.insert(schedule)
        }
        // 720 possible times; six picks that all agree would mean there is no pick.
        #expect(seen.count > 1, "\(seen)")
    }

    @Test(arguments: [
        (["--schedule", "61 * * * *"], "--schedule \"61 * * * *\": the minute field \"61\": 61 is outside 0-59"),
        (["--schedule", "every day"], "--schedule \"every day\": expected five fields"),
        (["--schedule", "@fortnightly"], "@fortnightly is not a shorthand"),
        (["--shards", "0"], "--shards 0: give a number of pods from 1 to 100000"),
        (["--shards", "-2"], "--shards"),
        (["--image", ""], "--image \"\": expected an image reference"),
        (["--image", "registry.example.test/kc 1"], "expected an image reference"),
        (["--env-from-secret", "DNS_Creds"], "--env-from-secret DNS_Creds: not a Secret name"),
        (["-n", "Team_A"], "-n Team_A: not a namespace name"),
        (["-o", "table"], "-o table: expected yaml or json"),
    ])
    func badInputIsAUsageError(_ arguments: [String], _ message: String) async throws {
        let result = try await dryRun(arguments)
        #expect(result.status == 2, "\(arguments): \(result.stdout) \(result.stderr)")
        #expect(result.stderr.contains(message), "\(result.stderr)")
        #expect(result.stdout.isEmpty)
    }

    @Test func outputWithoutDryRunIsAUsageError() async throws {
        let result = try await Subprocess.run(binary, ["install", "-o", "yaml"], environment: ["KUBECONFIG": "/nonexistent/kubeconfig"])
        #expect(result.status == 2)
        #expect(result.stderr.contains("-o prints the objects and needs --dry-run"))
    }

    @Test func uninstallRefusesABadNamespace() async throws {
        let result = try await Subprocess.run(binary, ["uninstall", "-n", "Bad_Team"], environment: ["KUBECONFIG": "/nonexistent/kubeconfig"])
        #expect(result.status == 2)
        #expect(result.stderr.contains("not a namespace name"))
    }

    @Test func helpListsInstallAndUninstall() async throws {
        let help = try await Subprocess.run(binary, ["--help"])
        #expect(help.stdout.contains("  install") && help.stdout.contains("  uninstall"))
        let installHelp = try await Subprocess.run(binary, ["install", "--help"])
        #expect(installHelp.stdout.contains("twice a day"))
        #expect(installHelp.stdout.contains("--env-from-secret"))
    }
}
