import Foundation

/// Runs a kubeconfig `exec` credential plugin (`client.authentication.k8s.io/v1` or
/// `v1beta1`) and reads the ExecCredential it prints.
struct ExecCredentialPlugin: Sendable {
    var config: KubeConfig.ExecConfig
    var server: String
    var certificateAuthorityData: Data?
    /// How long the plugin may run before it is killed; nil: a minute, or ten when it may
    /// be talking with the user.
    var timeout: Duration?

    func timeout(interactive: Bool) -> Duration {
        timeout ?? (interactive ? .seconds(600) : .seconds(60))
    }

    struct Credential: Sendable {
        var token: String?
        var clientIdentity: HTTPClientConfiguration.ClientIdentity?
        var expires: Date?
    }

    static let supportedVersions = ["client.authentication.k8s.io/v1", "client.authentication.k8s.io/v1beta1"]

    func run(stdinIsTerminal: Bool = isatty(STDIN_FILENO) == 1) async throws(KubernetesError) -> Credential {
        let version = config.apiVersion ?? ""
        guard Self.supportedVersions.contains(version) else {
            throw KubernetesError(kind: .configuration, message: "the exec plugin \(config.command) asks for apiVersion \"\(version)\"; supported: \(Self.supportedVersions.joined(separator: ", "))")
        }
        let mode = config.interactiveMode ?? (version.hasSuffix("/v1") ? "" : "IfAvailable")
        guard ["Never", "IfAvailable", "Always"].contains(mode) else {
            throw KubernetesError(kind: .configuration, message: "the exec plugin \(config.command) needs interactiveMode Never, IfAvailable or Always (got \"\(mode)\")")
        }
        if mode == "Always" && !stdinIsTerminal {
            throw KubernetesError(kind: .configuration, message: "the exec plugin \(config.command) needs an interactive terminal (interactiveMode: Always), but stdin is not one")
        }
        let interactive = mode != "Never" && stdinIsTerminal

        var spec: JSONValue = ["interactive": .bool(interactive)]
        if config.provideClusterInfo == true {
            var cluster: JSONValue = ["server": .string(server)]
            if let certificateAuthorityData { cluster["certificate-authority-data"] = .string(certificateAuthorityData.base64EncodedString()) }
            spec["cluster"] = cluster
        }
        let info: JSONValue = ["apiVersion": .string(version), "kind": "ExecCredential", "spec": spec]
        var environment = ProcessInfo.processInfo.environment
        for variable in config.env ?? [] { environment[variable.name] = variable.value }
        environment["KUBERNETES_EXEC_INFO"] = String(decoding: info.encoded(), as: UTF8.self)

        let output: ChildProcess.Output
        do {
            output = try await ChildProcess.run(config.command, arguments: config.args ?? [], environment: environment, streams: interactive ? .interactive : .passStderr,
                                                timeout: timeout(interactive: interactive))
        } catch let error as ChildProcess.TimedOut {
            // The command only: its arguments and environment may hold secrets.
            throw KubernetesError(kind: .unauthorized, message: "the exec credential plugin \(config.command) did not finish within \(error.limit.shortText) and was stopped; run it by hand to see what it waits for")
        } catch {
            let hint = config.installHint.map { "\n\($0)" } ?? ""
            throw KubernetesError(kind: .configuration, message: "could not run the exec credential plugin \(config.command): \(error)\(hint)")
        }
        guard output.status == 0 else {
            throw KubernetesError(kind: .unauthorized, message: "the exec credential plugin \(config.command) exited with status \(output.status)")
        }
        guard let credential = try? JSONValue.decode(output.stdout), credential["kind"]?.stringValue == "ExecCredential" else {
            throw KubernetesError(kind: .unauthorized, message: "the exec credential plugin \(config.command) did not print an ExecCredential")
        }
        guard credential["apiVersion"]?.stringValue == version else {
            throw KubernetesError(kind: .unauthorized, message: "the exec credential plugin \(config.command) answered with apiVersion \"\(credential["apiVersion"]?.stringValue ?? "")\", not \"\(version)\"")
        }
        let status = credential["status"]
        let token = status?["token"]?.stringValue.flatMap { $0.isEmpty ? nil : $0 }
        var identity: HTTPClientConfiguration.ClientIdentity?
        if let cert = status?["clientCertificateData"]?.stringValue, let key = status?["clientKeyData"]?.stringValue {
            identity = .init(certificatePEM: Data(cert.utf8), privateKeyPEM: Data(key.utf8))
        }
        guard token != nil || identity != nil else {
            throw KubernetesError(kind: .unauthorized, message: "the exec credential plugin \(config.command) returned neither a token nor a client certificate and key")
        }
        let expires = status?["expirationTimestamp"]?.stringValue.flatMap(RFC3339.parse)
        return Credential(token: token, clientIdentity: identity, expires: expires)
    }
}
