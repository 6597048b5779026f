import CertCore

/// How HTTP-01 challenges are served through the cluster's ingress: from `--http01` and its
/// flags, or from a cert-manager solver's `http01.ingress` block.
struct HTTP01Solver: Sendable, Equatable {
    static let defaultImage = "docker.io/library/busybox:1.36"

    /// `spec.ingressClassName` of the solver Ingress (cert-manager's `ingressClassName`, `--ingress-class`).
    var ingressClassName: String?
    /// The legacy `kubernetes.io/ingress.class` annotation (cert-manager's `class`).
    var legacyClass: String?
    /// An Ingress to add the challenge paths to instead of creating one (cert-manager's `name`,
    /// `--ingress-edit` with `ingress/NAME`).
    var editIngress: String?
    /// `ClusterIP` (default) or `NodePort`.
    var serviceType: String = "ClusterIP"
    var image: String = HTTP01Solver.defaultImage
    /// From `podTemplate`: metadata, and where the Pod may run.
    var podLabels: [String: String] = [:]
    var podAnnotations: [String: String] = [:]
    var nodeSelector: [String: String] = [:]
    var tolerations: [JSONValue] = []
    /// From `ingressTemplate`: metadata of the solver Ingress.
    var ingressLabels: [String: String] = [:]
    var ingressAnnotations: [String: String] = [:]

    /// The class as a person names it, for messages.
    var classDescription: String {
        if let ingressClassName { return "ingress class \(ingressClassName)" }
        if let legacyClass { return "ingress class \(legacyClass) (kubernetes.io/ingress.class)" }
        return "the default ingress class"
    }

    /// The class the ingress controller is asked for, when one is named.
    var className: String? { ingressClassName ?? legacyClass }

    /// For an `ingress/NAME` target when no class or Ingress to edit is named: that Ingress's
    /// own class (`spec.ingressClassName`, else the legacy annotation), so the controller that
    /// serves the Ingress serves its challenges too, not the cluster's default one.
    mutating func takeClass(of ingress: KubernetesObject) {
        guard ingressClassName == nil, legacyClass == nil, editIngress == nil else { return }
        if let name = ingress[["spec", "ingressClassName"]]?.stringValue {
            ingressClassName = name
        } else if let legacy = ingress.annotations["kubernetes.io/ingress.class"] {
            legacyClass = legacy
        }
    }

    /// A cert-manager solver's `http01` block; only its `ingress` solver is supported.
    init(certManager http01: JSONValue, describing solver: String) throws {
        guard let ingress = http01["ingress"] else {
            let kinds = http01.objectValue?.keys.sorted().joined(separator: ", ") ?? "none"
            throw CommandFailure(message: "\(solver) is an http01 solver without `ingress` (it has \(kinds)); kubectl-certs solves HTTP-01 through Ingresses only", exitStatus: .usage)
        }
        ingressClassName = ingress["ingressClassName"]?.stringValue
        legacyClass = ingress["class"]?.stringValue
        editIngress = ingress["name"]?.stringValue
        if [ingressClassName, legacyClass, editIngress].compactMap({ $0 }).count > 1 {
            throw CommandFailure(message: "\(solver) sets more than one of http01.ingress ingressClassName, class and name; cert-manager allows only one", exitStatus: .usage)
        }
        if let type = ingress["serviceType"]?.stringValue, !type.isEmpty {
            guard type == "ClusterIP" || type == "NodePort" else {
                throw CommandFailure(message: "\(solver) has http01.ingress.serviceType \(type); use ClusterIP or NodePort", exitStatus: .usage)
            }
            serviceType = type
        }
        let pod = ingress["podTemplate"]
        podLabels = Self.strings(pod?["metadata"]?["labels"])
        podAnnotations = Self.strings(pod?["metadata"]?["annotations"])
        nodeSelector = Self.strings(pod?["spec"]?["nodeSelector"])
        tolerations = pod?["spec"]?["tolerations"]?.arrayValue ?? []
        ingressLabels = Self.strings(ingress["ingressTemplate"]?["metadata"]?["labels"])
        ingressAnnotations = Self.strings(ingress["ingressTemplate"]?["metadata"]?["annotations"])
    }

    init(ingressClassName: String? = nil, editIngress: String? = nil, image: String? = nil) {
        self.ingressClassName = ingressClassName
        self.editIngress = editIngress
        if let image { self.image = image }
    }

    private static func strings(_ value: JSONValue?) -> [String: String] {
        (value?.objectValue ?? [:]).compactMapValues(\.stringValue)
    }
}
