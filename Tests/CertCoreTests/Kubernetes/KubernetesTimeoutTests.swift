@testable import CertCore
import Foundation
import TestSupport
import Testing

/// A stalled API server or exec credential plugin ends the request with an error that says
/// so, instead of hanging the run.
@Suite(.lab) struct KubernetesTimeoutTests {
    @Test func requestsHaveAThirtySecondTimeoutByDefault() throws {
        let lab = try KubernetesClientTests.KubeLab()
        #expect(try lab.client().requestTimeout == .seconds(30))
        #expect(KubernetesClient.defaultRequestTimeout == .seconds(30))
    }

    @Test func aStalledRequestEndsWithATimeoutError_AgainstKubeTestServer() async throws {
        let lab = try KubernetesClientTests.KubeLab()
        let admin = try lab.client()
        let namespace = try await lab.namespace(admin)
        // Only this test's namespace is slowed down: the server is shared.
        try await lab.fault(["delayMs": 20_000, "count": 1, "method": "GET", "path": .string("/namespaces/\(namespace)/secrets")])
        let client = KubernetesClient(connection: admin.connection, requestTimeout: .seconds(1))
        let error = await #expect(throws: KubernetesError.self) { try await client.list(.secrets, namespace: namespace) }
        #expect(error?.kind == .timeout)
        #expect(error?.message.contains("did not answer") == true)
        #expect(error?.message.contains("within 1s") == true)
        #expect(error?.message.contains("--request-timeout") == true)
    }

    /// A plugin script that records its pid and its child's, then waits forever.
    static func stallingPlugin() throws -> (script: String, pids: String) {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("stall-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let pids = dir.appendingPathComponent("pids").path
        let script = dir.appendingPathComponent("plugin.sh").path
        try """
        #!/bin/sh
        sleep 3600 &
        echo "$$ $!" > \(pids)
        wait
        """.write(toFile: script, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: script)
        return (script, pids)
    }

    static func isRunning(_ pid: Int32) -> Bool {
        // A zombie still answers kill(0); its state in /proc says it is dead.
        guard kill(pid, 0) == 0 else { return false }
        let stat = (try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8)) ?? ""
        return !stat.contains(") Z ")
    }

    @Test func anExecPluginThatNeverAnswersIsKilledAndReported() async throws {
        let (script, pidFile) = try Self.stallingPlugin()
        let config = KubeConfig.ExecConfig(apiVersion: "client.authentication.k8s.io/v1beta1", command: script, args: ["--token=ARG-SECRET-5d1"],
                                           env: [.init(name: "PLUGIN_PASSWORD", value: "ENV-SECRET-8b2")])
        var plugin = ExecCredentialPlugin(config: config, server: "https://127.0.0.1:1", certificateAuthorityData: nil)
        plugin.timeout = .seconds(1)
        let error = await #expect(throws: KubernetesError.self) { try await plugin.run(stdinIsTerminal: false) }
        #expect(error?.message.contains(script) == true)
        #expect(error?.message.contains("did not finish within 1s") == true)
        #expect(error?.message.contains("ARG-SECRET-5d1") == false)
        #expect(error?.message.contains("ENV-SECRET-8b2") == false)

        let pids = try String(contentsOfFile: pidFile, encoding: .utf8).split(separator: " ").compactMap { Int32($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
        #expect(pids.count == 2)
        // Killing is asynchronous to the caller: give the kernel a moment to reap.
        let deadline = Date().addingTimeInterval(10)
        while pids.contains(where: Self.isRunning), Date() < deadline { try await Task.sleep(for: .milliseconds(50)) }
        #expect(!pids.contains(where: Self.isRunning), "the plugin or its child still runs")
    }

    @Test func execPluginsHaveATimeoutByDefault() {
        let config = KubeConfig.ExecConfig(apiVersion: "client.authentication.k8s.io/v1", command: "true")
        let plugin = ExecCredentialPlugin(config: config, server: "https://127.0.0.1:1", certificateAuthorityData: nil)
        #expect(plugin.timeout(interactive: false) == .seconds(60))
        #expect(plugin.timeout(interactive: true) == .seconds(600))
    }
}
