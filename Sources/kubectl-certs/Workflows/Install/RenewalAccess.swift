import CertCore

/// The identity the renewal runs as and the least access `kubectl-certs renew -A` needs.
extension RenewalInstallation {
    /// What renew reads and writes, verb by verb:
    /// - Secrets: reads TLS Secrets (list across namespaces, get one), writes certificates
    ///   (create, update), ACME account Secrets (create) and pending-order records (create,
    ///   update, delete once the order is done); reads credentials that `--dns-credentials` and
    ///   cert-manager issuers name (get). `patch` for annotation-only changes.
    /// - Ingresses, cert-manager Certificates, Issuers and ClusterIssuers: reads them (get, list)
    ///   to find what each Secret serves and the settings of its issuer.
    /// - events.k8s.io Events: reports each renewal on the Secret and what it serves (create,
    ///   patch to count repeats).
    /// - Leases: one per certificate, so no two runs renew the same one (get, list, create,
    ///   update, delete).
    /// - HTTP-01 solvers: a ConfigMap, a Pod and a Service per name (create, delete; the Pod
    ///   also get, to say why it does not serve), an Ingress (create, delete) or, for
    ///   `--ingress-edit`, paths added to one (patch); the IngressClasses (list) to check the
    ///   class before anything is created.
    static let rules: [JSONValue] = [
        rule(group: "", resources: ["secrets"], verbs: ["get", "list", "create", "update", "patch", "delete"]),
        rule(group: "", resources: ["configmaps", "services"], verbs: ["create", "delete"]),
        rule(group: "", resources: ["pods"], verbs: ["get", "create", "delete"]),
        rule(group: "networking.k8s.io", resources: ["ingresses"], verbs: ["get", "list", "create", "patch", "delete"]),
        rule(group: "networking.k8s.io", resources: ["ingressclasses"], verbs: ["list"]),
        rule(group: "cert-manager.io", resources: ["certificates", "issuers", "clusterissuers"], verbs: ["get", "list"]),
        rule(group: "events.k8s.io", resources: ["events"], verbs: ["create", "patch"]),
        rule(group: "coordination.k8s.io", resources: ["leases"], verbs: ["get", "list", "create", "update", "delete"]),
    ]

    private static func rule(group: String, resources: [String], verbs: [String]) -> JSONValue {
        [
            "apiGroups": [.string(group)],
            "resources": .array(resources.map(JSONValue.string)),
            "verbs": .array(verbs.map(JSONValue.string)),
        ]
    }

    var serviceAccount: KubernetesObject {
        var object = labelled(KubernetesObject(.serviceAccounts, name: Self.name, namespace: namespace))
        // The renewal needs the API; the token is mounted because the pod asks for it.
        object[["automountServiceAccountToken"]] = true
        return object
    }

    var clusterRole: KubernetesObject {
        var object = labelled(KubernetesObject(.clusterRoles, name: clusterRoleName))
        object[["rules"]] = .array(Self.rules)
        return object
    }

    var clusterRoleBinding: KubernetesObject {
        var object = labelled(KubernetesObject(.clusterRoleBindings, name: clusterRoleName))
        object[["roleRef"]] = ["apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": .string(clusterRoleName)]
        object[["subjects"]] = [["kind": "ServiceAccount", "name": .string(Self.name), "namespace": .string(namespace)]]
        return object
    }
}
