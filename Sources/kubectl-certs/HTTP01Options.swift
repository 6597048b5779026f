import ArgumentParser
import CertCore

/// The HTTP-01 flags `issue --http01` and `http01 check` share.
struct HTTP01Options: ParsableArguments {
    @Option(name: .customLong("ingress-class"), help: ArgumentHelp("The IngressClass of the solver Ingress (default: an ingress/NAME target's own class, else the cluster's default class).", valueName: "NAME"))
    var ingressClass: String?

    @Option(name: .customLong("http01-solver-image"), help: ArgumentHelp("The solver Pod's image; it must run busybox's `httpd -f -p PORT -h DIR` (default \(HTTP01Solver.defaultImage)).", valueName: "IMAGE"))
    var solverImage: String?

    @Option(name: .customLong("http01-timeout"), help: ArgumentHelp("How long to wait for the challenge URLs to be served before asking the CA (default 2m).", valueName: "DURATION"))
    var timeout: String?

    /// Whether any of these flags was given.
    var isSet: Bool { ingressClass != nil || solverImage != nil || timeout != nil }

    func validateOptions() throws {
        if let ingressClass, !KubernetesNames.isSubdomain(ingressClass) {
            throw ValidationError("--ingress-class \(ingressClass): an IngressClass name is lower-case letters, digits, '-' and '.'")
        }
        if let solverImage, solverImage.isEmpty || solverImage.contains(where: \.isWhitespace) {
            throw ValidationError("--http01-solver-image \(solverImage): expected an image reference such as \(HTTP01Solver.defaultImage)")
        }
        if let timeout, (try? Duration(parsing: timeout)) == nil {
            throw ValidationError("--http01-timeout \(timeout): expected a duration such as 2m")
        }
    }

    func selfCheckTimeout() throws -> Duration {
        try timeout.map { try Duration(parsing: $0) } ?? HTTP01SelfCheck.defaultTimeout
    }

    /// The solver these flags describe; `editIngress` for `--ingress-edit`.
    func solver(editIngress: String? = nil) -> HTTP01Solver {
        HTTP01Solver(ingressClassName: ingressClass, editIngress: editIngress, image: solverImage)
    }
}
