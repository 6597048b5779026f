public import Foundation
import Yams

/// How the plugin was asked to reach the cluster: kubectl's global flags.
public struct KubeConfigOptions: Sendable {
    public var kubeconfig: String?
    public var context: String?
    public var namespace: String?

    public init(kubeconfig: String? = nil, context: String? = nil, namespace: String? = nil) {
        self.kubeconfig = kubeconfig
        self.context = context
        self.namespace = namespace
    }
}

/// Everything needed to talk to one cluster as one user.
public struct ClusterConnection: Sendable {
    /// The kubeconfig context, or "in-cluster".
    public var contextName: String
    public var server: String
    /// The namespace commands work in: `-n`, else the context's, else "default".
    public var namespace: String
    public var tls: HTTPClientConfiguration
    public var credentials: Credentials

    public enum Credentials: Sendable, CustomStringConvertible {
        case none
        case token(String)
        /// A file holding a bearer token, re-read when it changes (projected service-account tokens rotate).
        case tokenFile(String)
        case basic(username: String, password: String)
        case exec(KubeConfig.ExecConfig, server: String, certificateAuthorityData: Data?)

        public var description: String {
            switch self {
            case .none: return "none"
            case .token: return "token (redacted)"
            case .tokenFile(let path): return "token file \(path)"
            case .basic(let username, _): return "basic auth as \(username)"
            case .exec(let config, _, _): return "exec plugin \(config.command)"
            }
        }
    }
}

/// Loads kubeconfig files with kubectl's rules.
///
/// `--kubeconfig` alone when given; otherwise every file in `KUBECONFIG` (colon-separated,
/// missing files skipped) merged so that the first value wins; otherwise `~/.kube/config`;
/// otherwise, inside a pod, the service account.
public enum KubeConfigLoader {
    public struct Environment: Sendable {
        public var variables: [String: String]
        public var homeDirectory: URL
        /// Where a pod's service-account files are mounted.
        public var serviceAccountDirectory: URL

        public init(
            variables: [String: String] = ProcessInfo.processInfo.environment,
            homeDirectory: URL = FileManager.default.homeDirectoryForCurrentUser,
            serviceAccountDirectory: URL = URL(fileURLWithPath: "/var/run/secrets/kubernetes.io/serviceaccount")
        ) {
            self.variables = variables
            self.homeDirectory = homeDirectory
            self.serviceAccountDirectory = serviceAccountDirectory
        }
    }

    public static func connection(_ options: KubeConfigOptions, environment: Environment = Environment()) throws(KubernetesError) -> ClusterConnection {
        guard let (merged, paths) = try merged(options, environment: environment) else {
            if let inCluster = try inCluster(options, environment) { return inCluster }
            let home = environment.homeDirectory.appendingPathComponent(".kube/config").path
            throw KubernetesError(kind: .configuration, message: "no kubeconfig: set KUBECONFIG, pass --kubeconfig, or create \(home)")
        }
        return try resolve(merged, options, sources: paths)
    }

    /// The kubeconfig files kubectl would load, merged so that the first value wins, with
    /// their paths; nil when there is none (no `--kubeconfig`, no `KUBECONFIG`, no
    /// `~/.kube/config`).
    public static func merged(_ options: KubeConfigOptions, environment: Environment = Environment()) throws(KubernetesError) -> (config: KubeConfig, sources: [String])? {
        let paths: [String]
        if let explicit = options.kubeconfig {
            guard FileManager.default.isReadableFile(atPath: explicit) else {
                throw KubernetesError(kind: .configuration, message: "cannot read the kubeconfig \(explicit) given with --kubeconfig: \(FileManager.default.fileExists(atPath: explicit) ? "permission denied" : "no such file")")
            }
            paths = [explicit]
        } else if let list = environment.variables["KUBECONFIG"], !list.isEmpty {
            paths = list.split(separator: ":").map(String.init).filter { FileManager.default.fileExists(atPath: $0) }
            if paths.isEmpty {
                throw KubernetesError(kind: .configuration, message: "none of the files in KUBECONFIG (\(list)) exists")
            }
        } else {
            let home = environment.homeDirectory.appendingPathComponent(".kube/config").path
            guard FileManager.default.fileExists(atPath: home) else { return nil }
            paths = [home]
        }
        var merged = KubeConfig()
        for path in paths { merged.merge(try read(path)) }
        return (merged, paths)
    }

    /// Reads and parses one file, resolving its relative paths.
    public static func read(_ path: String) throws(KubernetesError) -> KubeConfig {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw KubernetesError(kind: .configuration, message: "cannot read the kubeconfig \(path)")
        }
        var config: KubeConfig
        do {
            let text = String(decoding: data, as: UTF8.self)
            config = text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty ? KubeConfig() : try YAMLDecoder().decode(KubeConfig.self, from: text)
        } catch {
            throw KubernetesError(kind: .configuration, message: "the kubeconfig \(path) is not valid: \(describe(error))")
        }
        config.resolvePaths(against: URL(fileURLWithPath: path).deletingLastPathComponent())
        return config
    }

    private static func describe(_ error: any Error) -> String {
        if case DecodingError.typeMismatch(_, let context) = error { return "\(context.debugDescription) at \(context.codingPath.map(\.stringValue).joined(separator: "."))" }
        if case DecodingError.keyNotFound(let key, let context) = error { return "missing \(key.stringValue) at \(context.codingPath.map(\.stringValue).joined(separator: "."))" }
        if case DecodingError.dataCorrupted(let context) = error { return context.debugDescription }
        return "\(error)"
    }

    static func resolve(_ config: KubeConfig, _ options: KubeConfigOptions, sources: [String]) throws(KubernetesError) -> ClusterConnection {
        let known = config.contexts.map(\.name).sorted()
        guard let contextName = options.context ?? config.currentContext else {
            throw KubernetesError(kind: .configuration, message: "no context chosen: pass --context NAME or set current-context in \(sources.joined(separator: ", "))" + (known.isEmpty ? "" : " (contexts: \(known.joined(separator: ", ")))"))
        }
        guard let context = config.contexts.first(where: { $0.name == contextName })?.value else {
            throw KubernetesError(kind: .configuration, message: "context \"\(contextName)\" does not exist in \(sources.joined(separator: ", "))" + (known.isEmpty ? "; it has no contexts" : "; the contexts are: \(known.joined(separator: ", "))"))
        }
        guard let clusterName = context.cluster, let cluster = config.clusters.first(where: { $0.name == clusterName })?.value else {
            throw KubernetesError(kind: .configuration, message: "context \"\(contextName)\" names cluster \"\(context.cluster ?? "")\", which is not in the kubeconfig")
        }
        guard let server = cluster.server, !server.isEmpty else {
            throw KubernetesError(kind: .configuration, message: "cluster \"\(clusterName)\" has no server URL")
        }
        var user = KubeConfig.User()
        if let userName = context.user, !userName.isEmpty {
            guard let found = config.users.first(where: { $0.name == userName })?.value else {
                throw KubernetesError(kind: .configuration, message: "context \"\(contextName)\" names user \"\(userName)\", which is not in the kubeconfig")
            }
            user = found
        }

        var tls = HTTPClientConfiguration()
        let caData = try data(inline: cluster.certificateAuthorityData, file: cluster.certificateAuthority, what: "certificate-authority of cluster \"\(clusterName)\"")
        if let caData { tls.trust = .only(pem: caData) }
        tls.insecureSkipVerify = cluster.insecureSkipTLSVerify ?? false
        if tls.insecureSkipVerify && caData != nil {
            throw KubernetesError(kind: .configuration, message: "cluster \"\(clusterName)\" sets both insecure-skip-tls-verify and a certificate-authority; kubectl refuses that too: remove one")
        }
        tls.serverName = cluster.tlsServerName.flatMap { $0.isEmpty ? nil : $0 }
        tls.proxy = cluster.proxyURL.flatMap { $0.isEmpty ? nil : $0 }
        let certificate = try data(inline: user.clientCertificateData, file: user.clientCertificate, what: "client-certificate")
        let key = try data(inline: user.clientKeyData, file: user.clientKey, what: "client-key")
        switch (certificate, key) {
        case let (certificate?, key?): tls.clientIdentity = .init(certificatePEM: certificate, privateKeyPEM: key)
        case (nil, nil): break
        default:
            throw KubernetesError(kind: .configuration, message: "user of context \"\(contextName)\" has a client certificate without its key, or a key without its certificate")
        }

        if let provider = user.authProvider {
            let replacement: String
            switch provider.name {
            case "gcp": replacement = "the gke-gcloud-auth-plugin exec plugin (gcloud components install gke-gcloud-auth-plugin)"
            case "azure": replacement = "kubelogin (az aks install-cli; kubelogin convert-kubeconfig)"
            case "oidc": replacement = "an exec plugin such as kubelogin (int128/kubelogin)"
            default: replacement = "an exec credential plugin"
            }
            throw KubernetesError(kind: .configuration, message: "the \(provider.name) auth-provider in context \"\(contextName)\" was removed from Kubernetes clients; use \(replacement) instead")
        }

        let credentials: ClusterConnection.Credentials
        if let exec = user.exec {
            credentials = .exec(exec, server: server, certificateAuthorityData: caData)
        } else if let token = user.token, !token.isEmpty {
            credentials = .token(token)
        } else if let tokenFile = user.tokenFile, !tokenFile.isEmpty {
            credentials = .tokenFile(tokenFile)
        } else if let username = user.username, !username.isEmpty {
            credentials = .basic(username: username, password: user.password ?? "")
        } else {
            credentials = .none
        }
        let namespace = options.namespace ?? context.namespace.flatMap { $0.isEmpty ? nil : $0 } ?? "default"
        return ClusterConnection(contextName: contextName, server: server, namespace: namespace, tls: tls, credentials: credentials)
    }

    private static func data(inline: String?, file: String?, what: String) throws(KubernetesError) -> Data? {
        if let inline, !inline.isEmpty {
            guard let data = Data(base64Encoded: inline, options: .ignoreUnknownCharacters) else {
                throw KubernetesError(kind: .configuration, message: "the \(what)-data in the kubeconfig is not base64")
            }
            return data
        }
        if let file, !file.isEmpty {
            guard let data = FileManager.default.contents(atPath: file) else {
                throw KubernetesError(kind: .configuration, message: "cannot read \(file), the \(what) named in the kubeconfig")
            }
            return data
        }
        return nil
    }

    private static func inCluster(_ options: KubeConfigOptions, _ environment: Environment) throws(KubernetesError) -> ClusterConnection? {
        guard let host = environment.variables["KUBERNETES_SERVICE_HOST"], let port = environment.variables["KUBERNETES_SERVICE_PORT"] else { return nil }
        let tokenPath = environment.serviceAccountDirectory.appendingPathComponent("token").path
        guard FileManager.default.fileExists(atPath: tokenPath) else { return nil }
        var tls = HTTPClientConfiguration()
        if let ca = FileManager.default.contents(atPath: environment.serviceAccountDirectory.appendingPathComponent("ca.crt").path) {
            tls.trust = .only(pem: ca)
        }
        let namespaceFile = (try? String(contentsOfFile: environment.serviceAccountDirectory.appendingPathComponent("namespace").path, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines)
        let hostPart = host.contains(":") ? "[\(host)]" : host
        return ClusterConnection(
            contextName: "in-cluster",
            server: "https://\(hostPart):\(port)",
            namespace: options.namespace ?? namespaceFile.flatMap { $0.isEmpty ? nil : $0 } ?? "default",
            tls: tls,
            credentials: .tokenFile(tokenPath)
        )
    }
}
