public import CertCore

/// Where a provider's variables come from.
///
/// `local` is the environment of whoever runs the tool: a variable may be given as `NAME`, or
/// as `NAME_FILE` naming a file that holds the value. `supplied` comes from somewhere a
/// namespace user controls — a `--dns-credentials` Secret or a cert-manager issuer's solver —
/// and wins over `local`; it may never make the tool read a local file, so it gives `NAME`
/// only, and never a setting that names a local path.
public struct ProviderEnvironment: Sendable {
    public var local: [String: String]
    public var supplied: [String: String]
    /// Where `supplied` came from, in words ("Secret team-a/dns-credentials").
    public var suppliedBy: String?
    /// The cluster, for adapters that work through its API server (cert-manager webhook
    /// solvers); nil where no cluster is configured.
    public var cluster: Cluster?

    /// A cluster connection and the namespace whose resources a solver's configuration refers to.
    public struct Cluster: Sendable {
        public var client: KubernetesClient
        /// cert-manager's `resourceNamespace`: the Issuer's namespace, a ClusterIssuer's cluster
        /// resource namespace, or the certificate's namespace with `--dns`.
        public var resourceNamespace: String

        public init(client: KubernetesClient, resourceNamespace: String) {
            self.client = client
            self.resourceNamespace = resourceNamespace
        }
    }

    public init(local: [String: String] = [:], supplied: [String: String] = [:], suppliedBy: String? = nil, cluster: Cluster? = nil) {
        self.local = local
        self.supplied = supplied
        self.suppliedBy = suppliedBy
        self.cluster = cluster
    }
}
