import CertCore

/// What `kubectl certs install` sets up in one namespace so that `kubectl-certs renew -A` runs
/// in the cluster on a schedule: the objects, their names and the labels that let `uninstall`
/// find exactly them again.
struct RenewalInstallation {
    /// The namespace when `-n` is not given: one of its own, as cert-manager has, so that the
    /// renewal's service account, its credentials and its Jobs are apart from any workload.
    static let defaultNamespace = "kubectl-certs"
    /// The ServiceAccount's and the CronJob's name (a CronJob name may be 52 characters at most).
    static let name = "kubectl-certs-renew"
    /// The user and group the renewal runs as; the image's `USER` is the same.
    static let runAsUser = 65532

    var namespace: String
    /// Whether the namespace is this installation's own (the default one), created by install
    /// and removed by uninstall. Any other namespace belongs to the user.
    var ownsNamespace: Bool
    var schedule: CronSchedule
    var image: String
    /// With a count, the Job is Indexed: that many pods, each renewing its share.
    var shards: Int?
    /// Secrets whose keys become the renewal's environment (provider credentials).
    var credentialSecrets: [String] = []
    /// Given to `renew` after `-A` (and `--shards N`).
    var renewArguments: [String] = []

    /// Cluster-scoped objects are shared by every namespace, so their names carry this one's.
    var clusterRoleName: String { "\(Self.name)-\(namespace)" }

    static let nameLabel = "app.kubernetes.io/name"
    static let componentLabel = "app.kubernetes.io/component"
    static let namespaceLabel = "kubectl-certs.io/install-namespace"

    /// On every object install makes; issued Secrets carry `managed-by` alone, never `component`.
    var labels: [String: String] { Self.selectorLabels(namespace: namespace) }

    static func selectorLabels(namespace: String) -> [String: String] {
        [
            nameLabel: "kubectl-certs",
            SecretWriter.managedByLabel: SecretWriter.managedByValue,
            componentLabel: "renewal",
            namespaceLabel: namespace,
        ]
    }

    /// The label selector for what an installation in `namespace` made.
    static func selector(namespace: String) -> String {
        selectorLabels(namespace: namespace).sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ",")
    }

    /// Every object, in the order they are applied: each one's dependencies before it.
    var objects: [KubernetesObject] {
        (ownsNamespace ? [namespaceObject] : []) + [serviceAccount, clusterRole, clusterRoleBinding, cronJob]
    }

    var namespaceObject: KubernetesObject {
        labelled(KubernetesObject(.namespaces, name: namespace))
    }

    func labelled(_ object: KubernetesObject) -> KubernetesObject {
        var object = object
        object.labels = labels
        return object
    }
}
