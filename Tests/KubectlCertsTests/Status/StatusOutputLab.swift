import CertCore
import Foundation
import TestSupport

/// A namespace in the lab's Kubernetes API test server holding one certificate of each kind
/// the picture and the metrics tell apart — valid, expiring, expired, invalid, missing — and
/// `kubectl certs` run against it through the real kubectl, piped or on a terminal.
final class StatusOutputLab: Sendable {
    let namespace: String
    let kubeconfig: String
    /// When the certificates were made; their dates are whole days from it.
    let made: Date

    static let shared = Task { try await StatusOutputLab() }

    private init() async throws {
        kubeconfig = try Lab.require("LAB_KUBECONFIG", component: "kube")
        let client = try KubernetesClient(options: KubeConfigOptions(kubeconfig: kubeconfig, context: "lab-admin"))
        let pki = try TestPKI(name: "Output Root")
        namespace = uniqueLabel("statusout")
        _ = try await client.create(KubernetesObject(.namespaces, name: namespace))
        let day: TimeInterval = 86400
        let now = Date()
        made = now
        let intermediate = try pki.certificate("int", commonName: "Output Intermediate", notBefore: now.addingTimeInterval(-500 * day), notAfter: now.addingTimeInterval(500 * day), isCA: true)
        func secret(_ name: String, _ commonName: String, from: TimeInterval, to: TimeInterval, matchingKey: Bool = true) async throws {
            let leaf = try pki.certificate(name, commonName: commonName, dnsNames: [commonName], notBefore: now.addingTimeInterval(from * day), notAfter: now.addingTimeInterval(to * day), signer: intermediate)
            var secret = Secret(name: name, namespace: namespace)
            secret.type = Secret.tlsType
            secret.data = ["tls.crt": leaf.certificatePEM + intermediate.certificatePEM, "tls.key": (matchingKey ? leaf : intermediate).keyPEM]
            _ = try await client.create(secret.object)
        }
        try await secret("healthy-tls", "healthy.output.test", from: -2, to: 58)
        try await secret("soon-tls", "soon.output.test", from: -50, to: 7)
        try await secret("gone-tls", "gone.output.test", from: -90, to: -3)
        try await secret("broken-tls", "broken.output.test", from: -1, to: 40, matchingKey: false)
        var ingress = Ingress(name: "absent", namespace: namespace)
        ingress.object[["spec"]] = [
            "defaultBackend": ["service": ["name": "web", "port": ["number": 80]]],
            "tls": [["hosts": ["absent.output.test"], "secretName": "absent-tls"]],
        ]
        _ = try await client.create(ingress.object)
    }

    /// The built binary's directory first on PATH, so kubectl finds the plugin.
    var path: String { "\(Subprocess.buildDirectory.path):\(ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin")" }

    /// `kubectl certs ARGUMENTS` with stdout and stderr piped, with NO_COLOR unset unless
    /// `environment` sets it.
    func run(_ arguments: [String], environment: [String: String] = [:]) async throws -> Subprocess.Result {
        let unset = environment["NO_COLOR"] == nil ? ["-u", "NO_COLOR"] : []
        return try await Subprocess.run("env", unset + ["kubectl", "certs"] + arguments, environment: ["PATH": path, "KUBECONFIG": kubeconfig].merging(environment) { $1 })
    }

    /// `kubectl certs ARGUMENTS` on a terminal, with NO_COLOR unset unless `environment` sets
    /// it: its exit status and everything the terminal showed (the command's output then a
    /// line with the status, so nothing is still in flight when it is read). `columns` sets the
    /// terminal's width (and unsets COLUMNS).
    func runOnTerminal(_ arguments: [String], environment: [String: String] = [:], columns: Int? = nil) async throws -> (status: Int32?, output: String) {
        let unset = (environment["NO_COLOR"] == nil ? " -u NO_COLOR" : "") + (columns != nil ? " -u COLUMNS" : "")
        let size = columns.map { "stty cols \($0) rows 40; " } ?? ""
        let command = size + "env\(unset) " + (["kubectl", "certs"] + arguments).joined(separator: " ") + "; echo \"@@exit $?@@\""
        let terminal = try PseudoTerminal(command, environment: ["PATH": path, "KUBECONFIG": kubeconfig].merging(environment) { $1 })
        guard let shown = await terminal.waitFor("@@\n"), let end = shown.range(of: "@@exit ", options: .backwards) else {
            return (nil, terminal.output)
        }
        return (Int32(shown[end.upperBound...].prefix { $0.isNumber }), String(shown[..<end.lowerBound]))
    }
}
