public import CertCore
import Foundation

/// Runs `kubectl certs issue` through the real kubectl against the whole lab: Pebble, BIND +
/// Knot, and the Kubernetes API test server.
public struct IssueLab: Sendable {
    public let kubeconfig: String
    public let client: KubernetesClient
    public let pebble: String
    public let caBundle: String
    public let resolver: String
    public let primary: String
    public let secondary: String
    public let zone: String
    public let tsigKey: String
    public let tsigSecret: String

    public init() throws {
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
    public func namespace() async throws -> String {
        let name = uniqueLabel("issue")
        _ = try await client.create(KubernetesObject(.namespaces, name: name))
        return name
    }

    public static func label() -> String { uniqueLabel("i") }

    /// The flags every issuance against the lab needs.
    public var acmeFlags: [String] {
        ["--server", pebble, "--acme-ca-bundle", caBundle, "--dns-resolver", resolver, "--propagation-timeout", "60s"]
    }

    /// RFC 2136 credentials in the environment, as a user sets them (never as arguments).
    public var environment: [String: String] {
        let path = "\(Subprocess.buildDirectory.path):\(ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin")"
        return ["PATH": path, "KUBECONFIG": kubeconfig, "RFC2136_NAMESERVER": primary, "RFC2136_TSIG_KEY": tsigKey, "RFC2136_TSIG_SECRET": tsigSecret, "NO_COLOR": "1"]
    }

    public func issue(_ arguments: [String]) async throws -> Subprocess.Result {
        try await Subprocess.run("kubectl", ["certs", "issue"] + arguments + acmeFlags, environment: environment)
    }

    /// Starts `kubectl certs issue` without waiting for it.
    public func startIssue(_ arguments: [String], signalOn: RunningCommand.SignalOn? = nil) throws -> RunningCommand {
        try RunningCommand(["kubectl", "certs", "issue"] + arguments + acmeFlags, environment: environment, signalOn: signalOn)
    }

    /// The flags a renewal against the lab needs: the CA and everything else come from what
    /// `issue` recorded on each Secret.
    public var renewFlags: [String] {
        ["--acme-ca-bundle", caBundle, "--dns-resolver", resolver, "--propagation-timeout", "60s"]
    }

    public func renew(_ arguments: [String], environment extra: [String: String] = [:]) async throws -> Subprocess.Result {
        try await Subprocess.run("kubectl", ["certs", "renew"] + arguments + renewFlags, environment: environment.merging(extra) { $1 })
    }

    /// Starts `kubectl certs renew` without waiting for it.
    public func startRenew(_ arguments: [String]) throws -> RunningCommand {
        try RunningCommand(["kubectl", "certs", "renew"] + arguments + renewFlags, environment: environment)
    }

    /// Deletes the ACME account keys in `namespace` (the plugin's and an issuer's), so that the
    /// next run registers a new account, which has no valid authorization a CA could reuse.
    /// Pebble reuses one even at `PEBBLE_AUTHZREUSE=0`, once in a hundred orders: it keeps the old
    /// authorization unless `rand.Intn(100) > percent`, which 0 fails.
    public func forgetAccounts(in namespace: String) async throws {
        for secret in try await client.list(.secrets, namespace: namespace) where secret.name.contains("account") {
            try await client.delete(.secrets, name: secret.name, namespace: namespace)
        }
    }

    public func secret(_ name: String, _ namespace: String) async throws -> Secret {
        try await client.get(Secret.self, name: name, namespace: namespace)
    }

    /// `openssl verify` of a Secret's chain against this run's Pebble root.
    public func verifyChain(_ secret: Secret) throws -> Bool {
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
