import Foundation

/// One kubeconfig file as written on disk (`clientcmd/api/v1`), with relative paths already
/// resolved against the file's directory.
public struct KubeConfig: Sendable, Decodable, Equatable {
    public var clusters: [Named<Cluster>]
    public var users: [Named<User>]
    public var contexts: [Named<Context>]
    public var currentContext: String?

    /// A cluster, user or context: what a named list entry holds under its own key.
    public protocol Entry: Sendable, Decodable, Equatable {
        init()
        static var key: String { get }
    }

    public struct Named<Value: Entry>: Sendable, Decodable, Equatable {
        public var name: String
        public var value: Value

        struct Key: CodingKey {
            var stringValue: String
            var intValue: Int? { nil }
            init(stringValue: String) { self.stringValue = stringValue }
            init?(intValue: Int) { nil }
        }

        public init(name: String, value: Value) {
            self.name = name
            self.value = value
        }

        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: Key.self)
            name = try container.decode(String.self, forKey: Key(stringValue: "name"))
            value = try container.decodeIfPresent(Value.self, forKey: Key(stringValue: Value.key)) ?? Value()
        }
    }

    public struct Cluster: Entry {
        public static let key = "cluster"
        public init() {}
        public var server: String?
        public var certificateAuthority: String?
        public var certificateAuthorityData: String?
        public var insecureSkipTLSVerify: Bool?
        public var tlsServerName: String?
        public var proxyURL: String?

        enum CodingKeys: String, CodingKey {
            case server
            case certificateAuthority = "certificate-authority"
            case certificateAuthorityData = "certificate-authority-data"
            case insecureSkipTLSVerify = "insecure-skip-tls-verify"
            case tlsServerName = "tls-server-name"
            case proxyURL = "proxy-url"
        }
    }

    public struct User: Entry {
        public static let key = "user"
        public init() {}
        public var clientCertificate: String?
        public var clientCertificateData: String?
        public var clientKey: String?
        public var clientKeyData: String?
        public var token: String?
        public var tokenFile: String?
        public var username: String?
        public var password: String?
        public var exec: ExecConfig?
        public var authProvider: AuthProvider?

        enum CodingKeys: String, CodingKey {
            case clientCertificate = "client-certificate"
            case clientCertificateData = "client-certificate-data"
            case clientKey = "client-key"
            case clientKeyData = "client-key-data"
            case token, tokenFile, username, password, exec
            case authProvider = "auth-provider"
        }
    }

    public struct AuthProvider: Sendable, Decodable, Equatable {
        public var name: String
    }

    /// An exec credential plugin (`client.authentication.k8s.io`).
    public struct ExecConfig: Sendable, Decodable, Equatable {
        public var apiVersion: String?
        public var command: String
        public var args: [String]?
        public var env: [EnvVar]?
        public var interactiveMode: String?
        public var provideClusterInfo: Bool?
        public var installHint: String?

        public init(apiVersion: String? = nil, command: String, args: [String]? = nil, env: [EnvVar]? = nil, interactiveMode: String? = nil, provideClusterInfo: Bool? = nil, installHint: String? = nil) {
            self.apiVersion = apiVersion
            self.command = command
            self.args = args
            self.env = env
            self.interactiveMode = interactiveMode
            self.provideClusterInfo = provideClusterInfo
            self.installHint = installHint
        }

        public struct EnvVar: Sendable, Decodable, Equatable {
            public var name: String
            public var value: String

            public init(name: String, value: String) {
                self.name = name
                self.value = value
            }
        }
    }

    public struct Context: Entry {
        public static let key = "context"
        public init() {}
        public var cluster: String?
        public var user: String?
        public var namespace: String?
    }

    enum CodingKeys: String, CodingKey {
        case clusters, users, contexts
        case currentContext = "current-context"
    }

    public init(clusters: [Named<Cluster>] = [], users: [Named<User>] = [], contexts: [Named<Context>] = [], currentContext: String? = nil) {
        self.clusters = clusters
        self.users = users
        self.contexts = contexts
        self.currentContext = currentContext
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        clusters = try container.decodeIfPresent([Named<Cluster>].self, forKey: .clusters) ?? []
        users = try container.decodeIfPresent([Named<User>].self, forKey: .users) ?? []
        contexts = try container.decodeIfPresent([Named<Context>].self, forKey: .contexts) ?? []
        currentContext = try container.decodeIfPresent(String.self, forKey: .currentContext)
        if currentContext?.isEmpty == true { currentContext = nil }
    }

    /// Makes every file path in the config absolute, relative to `directory` (kubectl resolves
    /// a path against the file that names it).
    mutating func resolvePaths(against directory: URL) {
        func resolve(_ path: String?) -> String? {
            guard let path, !path.isEmpty else { return path }
            if path.hasPrefix("/") { return path }
            if path.hasPrefix("~/") { return FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent(String(path.dropFirst(2))).path }
            return directory.appendingPathComponent(path).standardizedFileURL.path
        }
        for index in clusters.indices {
            clusters[index].value.certificateAuthority = resolve(clusters[index].value.certificateAuthority)
        }
        for index in users.indices {
            users[index].value.clientCertificate = resolve(users[index].value.clientCertificate)
            users[index].value.clientKey = resolve(users[index].value.clientKey)
            users[index].value.tokenFile = resolve(users[index].value.tokenFile)
            // An exec command with a slash in it is a path relative to the config file.
            if let command = users[index].value.exec?.command, command.contains("/") {
                users[index].value.exec?.command = resolve(command) ?? command
            }
        }
    }

    /// Merges `other` into this config the way kubectl merges the files of KUBECONFIG: the
    /// first file to name a cluster, user or context wins, and so does the first current-context.
    mutating func merge(_ other: KubeConfig) {
        func add<Value>(_ mine: inout [Named<Value>], _ theirs: [Named<Value>]) {
            for entry in theirs where !mine.contains(where: { $0.name == entry.name }) {
                mine.append(entry)
            }
        }
        add(&clusters, other.clusters)
        add(&users, other.users)
        add(&contexts, other.contexts)
        if currentContext == nil { currentContext = other.currentContext }
    }
}
