import CertCore
import Foundation
import TestSupport

/// Runs `kubectl certs issue` through the real kubectl against the whole lab: Pebble, BIND +
/// Knot, and the Kubernetes API test server.
struct IssueLab {
    let kubeconfig: String
    let client: KubernetesClient
    let pebble: String
    let caBundle: String
    let resolver: String
    let primary: String
    let secondary: String
    let zone: String
    let tsigKey: String
    let tsigSecret: String

    init() throws {
        kubeconfig = try Lab.require("LAB_KUBECONFIG", component: "kube")
        client = try KubernetesClient(options: KubeConfigOptions(kubeconfig: kubeconfig, context: "lab-admin"))
        pebble = try Lab.require("PEBBLE_DIRECTORY_URL", component: "pebble")
        caBundle = try Lab.require("LAB_CA_BUNDLE", component: "pebble")
        resolver = try Lab.require("LAB_DNS_RESOLVER", component: "dns")
        primary = try Lab.require("LAB_DNS_PRIMARY", component: "dns")
        secondary = try Lab.require("LAB_DNS_SECONDARY", component: "dns")
        zone = try Lab.require("LAB_DNS_ZONE", component: "dns")
        tsigKey = try Lab.require("LAB_TSIG_KEY", component: "dns")
        tsigSecret = try Lab.require("LAB_TSIG_SECRET", component: "dns")
    }

    /// A namespace of the test's own.
    func namespace() async throws -> String {
        let name = "issue-\(UInt32.random(in: .min ... .max))"
        _ = try await client.create(KubernetesObject(.namespaces, name: name))
        return name
    }

    static func label() -> String { "i\(UInt32.random(in: .min ... .max))" }

    /// The flags every issuance against the lab needs.
    var acmeFlags: [String] {
        ["--server", pebble, "--acme-ca-bundle", caBundle, "--dns-resolver", resolver, "--propagation-timeout", "60s"]
    }

    /// RFC 2136 credentials in the environment, as a user sets them (never as arguments).
    var environment: [String: String] {
        let path = "\(Subprocess.buildDirectory.path):\(ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin")"
        return ["PATH": path, "KUBECONFIG": kubeconfig, "RFC2136_NAMESERVER": primary, "RFC2136_TSIG_KEY": tsigKey, "RFC2136_TSIG_SECRET": tsigSecret, "NO_COLOR": "1"]
    }

    func issue(_ arguments: [String]) async throws -> Subprocess.Result {
        try await Subprocess.run("kubectl", ["certs", "issue"] + arguments + acmeFlags, environment: environment)
    }

    /// Starts `kubectl certs issue` without waiting for it.
    func startIssue(_ arguments: [String]) throws -> RunningCommand {
        try RunningCommand(["kubectl", "certs", "issue"] + arguments + acmeFlags, environment: environment)
    }

    func secret(_ name: String, _ namespace: String) async throws -> Secret {
        try await client.get(Secret.self, name: name, namespace: namespace)
    }

    /// `openssl verify` of a Secret's chain against this run's Pebble root.
    func verifyChain(_ secret: Secret) throws -> Bool {
        let root = try Lab.require("LAB_PEBBLE_ROOT", component: "pebble")
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("chain-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let chain = try Certificate.parseChain(pem: String(decoding: secret.data["tls.crt"] ?? Data(), as: UTF8.self))
        try chain[0].pem.write(to: dir.appendingPathComponent("leaf.pem"), atomically: true, encoding: .utf8)
        try chain.dropFirst().map(\.pem).joined().write(to: dir.appendingPathComponent("chain.pem"), atomically: true, encoding: .utf8)
        let result = try Subprocess.run("openssl", ["verify", "-CAfile", root, "-untrusted", dir.appendingPathComponent("chain.pem").path, dir.appendingPathComponent("leaf.pem").path])
        return result.status == 0 && result.stdout.contains(": OK")
    }
}

/// A command running in the background whose stderr can be watched and which can be
/// signalled.
final class RunningCommand: @unchecked Sendable {
    let process = Process()
    private let lock = NSLock()
    private var errorText = ""

    init(_ command: [String], environment: [String: String]) throws {
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = command
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let err = Pipe()
        process.standardError = err
        process.standardOutput = FileHandle.nullDevice
        err.fileHandleForReading.readabilityHandler = { [weak self] handle in
            let data = handle.availableData
            if data.isEmpty { handle.readabilityHandler = nil; return }
            self?.lock.withLock { self?.errorText += String(decoding: data, as: UTF8.self) }
        }
        try process.run()
    }

    var stderr: String { lock.withLock { errorText } }

    /// Waits (bounded) until stderr contains `text`.
    func waitFor(_ text: String, seconds: Double = 60) async throws -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if stderr.contains(text) { return true }
            if !process.isRunning { return stderr.contains(text) }
            try await Task.sleep(for: .milliseconds(50))
        }
        return false
    }

    /// Sends a signal to kubectl's child, the plugin itself (kubectl execs it, so it is the same process).
    func signal(_ number: Int32) {
        kill(process.processIdentifier, number)
    }

    func wait() async -> Int32 {
        while process.isRunning { try? await Task.sleep(for: .milliseconds(50)) }
        return process.terminationStatus
    }
}
