import CertCore
import Foundation

/// One HTTP-01 challenge as the CA will check it: `http://DOMAIN/.well-known/acme-challenge/TOKEN`
/// must answer the key authorization.
struct HTTP01Challenge: Sendable, Hashable {
    var domain: String
    var token: String
    var keyAuthorization: String

    static let pathPrefix = "/.well-known/acme-challenge/"
    var path: String { Self.pathPrefix + token }
    var url: String { "http://\(domain)\(path)" }
}

/// The objects that serve one challenge, as they are to be created: a ConfigMap holding the key
/// authorization (the parent: the others name it as their owner, so deleting it removes them
/// all), a Pod serving it with busybox httpd, a Service selecting that Pod, and an Ingress
/// routing the challenge's URL to the Service — or, with `editIngress`, that route added to an
/// existing Ingress instead.
struct SolverObjects: Sendable {
    var name: String
    var namespace: String
    /// Which run made them, for the labels.
    var run: String
    var solver: HTTP01Solver
    var challenge: HTTP01Challenge
    /// For `http01 check`, which keeps no pending record: the process that made them, on the
    /// ConfigMap, so that a later check on this host can remove what a killed one left.
    var probeHolder: RunHolder? = nil

    static let port = 8089
    static let servedDirectory = "/srv"
    static let userID = 65532
    static let solverLabel = "kubectl-certs.io/http01-solver"
    static let runLabel = "kubectl-certs.io/http01-run"
    static let nameLabel = "kubectl-certs.io/http01-name"
    static let probeLabel = "kubectl-certs.io/http01-probe"
    static let holderAnnotation = "kubectl-certs.io/http01-holder"

    /// A name for a new run's solver objects: what the run is, and which token (a DNS-1035
    /// label, so it is a valid Service name too).
    static func name(run: String, token: String) -> String {
        let hash = KubernetesNames.digest(of: token, bytes: 4)
        return "kubectl-certs-http01-\(run)-\(hash)"
    }

    /// A new run's id: lower-case letters and digits.
    static func newRun() -> String {
        String(UUID().uuidString.lowercased().filter { $0.isHexDigit }.prefix(8))
    }

    /// The labels every object carries: whose it is, what it is, which run and which set.
    var labels: [String: String] {
        [SecretWriter.managedByLabel: SecretWriter.managedByValue, Self.solverLabel: "true", Self.runLabel: run, Self.nameLabel: name]
    }

    var record: PendingOrder.SolverSet {
        PendingOrder.SolverSet(namespace: namespace, name: name, domain: challenge.domain, path: challenge.path, editedIngress: solver.editIngress)
    }

    func configMap() -> KubernetesObject {
        var object = KubernetesObject(.configMaps, name: name, namespace: namespace)
        object.labels = labels
        if let probeHolder, let holder = try? JSONEncoder().encode(probeHolder) {
            object.labels[Self.probeLabel] = "true"
            object.annotations = [Self.holderAnnotation: String(decoding: holder, as: UTF8.self)]
        }
        object[["data"]] = [challenge.token: .string(challenge.keyAuthorization)]
        return object
    }

    /// The parent as the others' owner reference needs it: with the uid the server gave it.
    static func ownerReference(_ configMap: KubernetesObject) -> JSONValue {
        ["apiVersion": "v1", "kind": "ConfigMap", "name": .string(configMap.name), "uid": .string(configMap.uid ?? "")]
    }

    func pod(owner: JSONValue) -> KubernetesObject {
        var object = KubernetesObject(.pods, name: name, namespace: namespace)
        object.labels = solver.podLabels.merging(labels) { $1 }
        object.annotations = solver.podAnnotations
        object[["metadata", "ownerReferences"]] = [owner]
        let container: JSONValue = [
            "name": "http01-solver",
            "image": .string(solver.image),
            "command": ["httpd"],
            "args": ["-f", "-p", .string(String(Self.port)), "-h", .string(Self.servedDirectory)],
            "ports": [["name": "http", "containerPort": .number(Double(Self.port)), "protocol": "TCP"]],
            "resources": [
                "requests": ["cpu": "10m", "memory": "16Mi"],
                "limits": ["cpu": "100m", "memory": "32Mi"],
            ],
            "securityContext": [
                "allowPrivilegeEscalation": false,
                "readOnlyRootFilesystem": true,
                "runAsNonRoot": true,
                "capabilities": ["drop": ["ALL"]],
            ],
            "volumeMounts": [["name": "challenges", "mountPath": .string(Self.servedDirectory + "/.well-known/acme-challenge"), "readOnly": true]],
        ]
        var spec: JSONValue = [
            "automountServiceAccountToken": false,
            "enableServiceLinks": false,
            "restartPolicy": "Always",
            "securityContext": [
                "runAsNonRoot": true,
                "runAsUser": .number(Double(Self.userID)),
                "runAsGroup": .number(Double(Self.userID)),
                "seccompProfile": ["type": "RuntimeDefault"],
            ],
            "containers": [container],
            "volumes": [["name": "challenges", "configMap": ["name": .string(name)]]],
        ]
        if !solver.nodeSelector.isEmpty { spec["nodeSelector"] = .object(solver.nodeSelector.mapValues(JSONValue.string)) }
        if !solver.tolerations.isEmpty { spec["tolerations"] = .array(solver.tolerations) }
        object[["spec"]] = spec
        return object
    }

    func service(owner: JSONValue) -> KubernetesObject {
        var object = KubernetesObject(.services, name: name, namespace: namespace)
        object.labels = labels
        object[["metadata", "ownerReferences"]] = [owner]
        object[["spec"]] = [
            "type": .string(solver.serviceType),
            "selector": .object([Self.nameLabel: .string(name), Self.runLabel: .string(run)]),
            "ports": [["name": "http", "port": .number(Double(Self.port)), "targetPort": .number(Double(Self.port)), "protocol": "TCP"]],
        ]
        return object
    }

    /// The route to the Service: the challenge's path alone. ImplementationSpecific, as
    /// cert-manager's own solver does: some controllers (ingress-nginx) refuse Exact paths
    /// with the characters a token may hold.
    func path() -> JSONValue {
        ["path": .string(challenge.path), "pathType": "ImplementationSpecific",
         "backend": ["service": ["name": .string(name), "port": ["number": .number(Double(Self.port))]]]]
    }

    func ingress(owner: JSONValue) -> KubernetesObject {
        var object = KubernetesObject(.ingresses, name: name, namespace: namespace)
        object.labels = solver.ingressLabels.merging(labels) { $1 }
        var annotations = solver.ingressAnnotations
        if let legacy = solver.legacyClass { annotations["kubernetes.io/ingress.class"] = legacy }
        object.annotations = annotations
        object[["metadata", "ownerReferences"]] = [owner]
        var spec: JSONValue = ["rules": [["host": .string(challenge.domain), "http": ["paths": [path()]]]]]
        if let className = solver.ingressClassName { spec["ingressClassName"] = .string(className) }
        object[["spec"]] = spec
        return object
    }
}
