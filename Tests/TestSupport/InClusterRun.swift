import Foundation

/// Runs a command as it would run in a pod of a test cluster: `KUBERNETES_SERVICE_HOST` and
/// `KUBERNETES_SERVICE_PORT` name the Kubernetes API test server, and the service account's
/// `token`, `ca.crt` and `namespace` are at /var/run/secrets/kubernetes.io/serviceaccount — a
/// path that exists only for that command.
///
/// The command runs in a mount namespace of its own (`unshare --mount --propagation private`;
/// this needs root): a tmpfs covers /run (where /var/run points) there, every entry of the real
/// /run is put back into it (bound, so it is the same file, directory or socket), and
/// `secrets/kubernetes.io/serviceaccount` is added beside them (in place of a /run/secrets of
/// the host's, if there is one). Nothing is mounted or created
/// on the host outside this run's temporary directory, and nothing the command may need from
/// /run is hidden. It also runs without KUBECONFIG, with an empty HOME, and with an empty tmpfs
/// over the user's own ~/.kube (found in the user database, for programs that do not read HOME),
/// so no kubeconfig can be found and the in-cluster configuration is the only one left.
public struct InClusterRun: Sendable {
    public let cluster: KubeTestCluster
    public let namespace: String
    public let serviceAccount: String
    /// The token the pod's files hold: a secret, never put in a message or an argument.
    private let token: String

    /// A run as the ServiceAccount `serviceAccount` in `namespace` (created when missing), with
    /// a token the server minted for it (`kubectl create token`, the TokenRequest API).
    public init(cluster: KubeTestCluster, namespace: String, serviceAccount: String) async throws {
        self.cluster = cluster
        self.namespace = namespace
        self.serviceAccount = serviceAccount
        if try await cluster.kubectl(["get", "serviceaccount", serviceAccount, "-n", namespace]).status != 0 {
            let created = try await cluster.kubectl(["create", "serviceaccount", serviceAccount, "-n", namespace])
            guard created.status == 0 else {
                throw KubeTestCluster.Failure("kubectl create serviceaccount \(serviceAccount) -n \(namespace) failed: \(created.stderr)")
            }
        }
        token = try await Self.mintToken(cluster: cluster, namespace: namespace, serviceAccount: serviceAccount)
    }

    /// A token the test server accepts for `system:serviceaccount:NAMESPACE:NAME` (the
    /// ServiceAccount must exist; the server rejects the token once it is deleted).
    public static func mintToken(cluster: KubeTestCluster, namespace: String, serviceAccount: String) async throws -> String {
        let minted = try await cluster.kubectl(["create", "token", serviceAccount, "-n", namespace])
        guard minted.status == 0 else {
            throw KubeTestCluster.Failure("kubectl create token \(serviceAccount) -n \(namespace) failed: \(minted.stderr)")
        }
        return minted.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Runs `executable` (a path, or a name on PATH) with `arguments` inside the pod-like
    /// environment; `environment` is added to it, `input` is its stdin.
    public func run(_ executable: String, _ arguments: [String], environment: [String: String] = [:], input: String? = nil) async throws -> Subprocess.Result {
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        let files = scratch.url.appendingPathComponent("serviceaccount")
        try FileManager.default.createDirectory(at: files, withIntermediateDirectories: false, attributes: [.posixPermissions: 0o700])
        try FileManager.default.copyItem(atPath: cluster.caFile, toPath: files.appendingPathComponent("ca.crt").path)
        for (name, text) in [("token", token), ("namespace", namespace)] {
            let path = files.appendingPathComponent(name).path
            guard FileManager.default.createFile(atPath: path, contents: Data(text.utf8), attributes: [.posixPermissions: 0o600]) else {
                throw KubeTestCluster.Failure("cannot write \(path)")
            }
        }
        let realRun = scratch.url.appendingPathComponent("run")
        try FileManager.default.createDirectory(at: realRun, withIntermediateDirectories: false)
        let home = scratch.url.appendingPathComponent("home")
        try FileManager.default.createDirectory(at: home, withIntermediateDirectories: false)
        // The variables go in the environment, never in arguments: `environment` may hold secrets.
        let variables = try podVariables(home: home).merging(environment) { _, given in given }
        return try await Subprocess.run("env", ["-u", "KUBECONFIG",
            "unshare", "--mount", "--propagation", "private", "--",
            "sh", "-c", Self.podMounts, "in-cluster-run", realRun.path, files.path, executable,
        ] + arguments, environment: variables, input: input.map { Data($0.utf8) })
    }

    /// Runs `executable` with the same environment (KUBERNETES_SERVICE_*, no KUBECONFIG, an empty
    /// HOME) but without the service account's files: what a pod without a mounted token sees.
    public func runWithoutServiceAccount(_ executable: String, _ arguments: [String]) async throws -> Subprocess.Result {
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        return try await Subprocess.run("env", ["-u", "KUBECONFIG", executable] + arguments, environment: try podVariables(home: scratch.url))
    }

    /// HOME and the variables Kubernetes sets in every pod to name the API server.
    private func podVariables(home: URL) throws -> [String: String] {
        guard let url = URL(string: cluster.serverURL), let host = url.host, let port = url.port else {
            throw KubeTestCluster.Failure("not a server URL with a host and a port: \(cluster.serverURL)")
        }
        return ["HOME": home.path, "KUBERNETES_SERVICE_HOST": host, "KUBERNETES_SERVICE_PORT": String(port)]
    }

    /// $1: an empty directory to hold the real /run; $2: the service account's files; then the
    /// command. Mounts with -n so that nothing is written to the host's mount tables.
    static let podMounts = #"""
        set -e
        real=$1 files=$2
        shift 2
        mount -n --rbind /run "$real"
        mount -n -t tmpfs -o mode=755 in-cluster-run /run
        for entry in "$real"/* "$real"/.[!.]*; do
            [ -e "$entry" ] || [ -L "$entry" ] || continue
            name=${entry##*/}
            # A /run/secrets of the host's stays hidden: the pod's files must not land in it.
            [ "$name" = secrets ] && continue
            if [ -L "$entry" ]; then
                cp -P "$entry" "/run/$name"
            elif [ -d "$entry" ]; then
                mkdir "/run/$name" && mount -n --rbind "$entry" "/run/$name"
            else
                : > "/run/$name" && mount -n --bind "$entry" "/run/$name"
            fi
        done
        # Programs that take the home directory from the user database rather than HOME must not
        # find a kubeconfig there either.
        home=$(getent passwd "$(id -u)" | cut -d: -f6)
        if [ -n "$home" ] && [ -d "$home/.kube" ]; then
            mount -n -t tmpfs -o mode=700 in-cluster-run "$home/.kube"
        fi
        mkdir -p /run/secrets/kubernetes.io/serviceaccount
        cp "$files/token" "$files/ca.crt" "$files/namespace" /run/secrets/kubernetes.io/serviceaccount/
        exec "$@"
        """#
}
