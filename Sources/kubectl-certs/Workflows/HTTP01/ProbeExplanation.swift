import CertCore

/// Why a challenge URL did not serve its key authorization, in words a person can act on:
/// from the last look at the URL, the solver Pod's status, and the cluster's IngressClasses.
enum ProbeExplanation {
    /// `pod`: the solver Pod as read (nil: not found or not read). `classes`: the cluster's
    /// IngressClasses (nil: not read).
    static func explain(_ observation: ProbeObservation, challenge: HTTP01Challenge, solver: HTTP01Solver, pod: Pod?, classes: [IngressClass]?) -> String {
        var lines = [what(observation, challenge: challenge, solver: solver, pod: pod)]
        if let hint = classHint(observation, solver: solver, pod: pod, classes: classes) { lines.append(hint) }
        if let pod, let state = podState(pod) { lines.append(state) }
        return lines.joined(separator: "; ")
    }

    private static func what(_ observation: ProbeObservation, challenge: HTTP01Challenge, solver: HTTP01Solver, pod: Pod?) -> String {
        switch observation {
        case .served(let address):
            return "\(challenge.url) is served at \(address)"
        case .noAddress(let problem):
            return "\(problem): the CA looks the name up in DNS; point it (A/AAAA or CNAME) at the ingress controller's address"
        case .unreachable(let address, let reason):
            return "nothing answered HTTP at \(address):80 (\(reason)): the name must point at the ingress controller, with port 80 open to the CA"
        case .status(let address, 404, _):
            return "the ingress controller at \(address) answered 404 for \(challenge.path): no route for it — does a controller serve \(solver.classDescription)?"
        case .status(let address, 503, _) where pod?.phase == "Running":
            // Our Pod runs, so the 503 is not from our route: another backend took the request.
            return "the ingress controller at \(address) answered 503 for \(challenge.path) although the solver pod runs: the request goes elsewhere (another Ingress's default backend?) — does a controller serve \(solver.classDescription)?"
        case .status(let address, 503, _):
            return "the ingress controller at \(address) answered 503 for \(challenge.path): it has the route, but no solver Pod ready behind it"
        case .status(let address, let code, let location?) where (300..<400).contains(code):
            let https = location.lowercased().hasPrefix("https:")
            let why = https ? "the controller forces HTTPS for this host (e.g. an ssl-redirect or force-ssl-redirect annotation on an Ingress with TLS for it); let \(HTTP01Challenge.pathPrefix) through on plain HTTP" : "something redirects the challenge path away from the solver"
            return "\(address) answered \(code), a redirect to \(location): \(why)"
        case .status(let address, let code, _):
            return "\(address) answered HTTP \(code) for \(challenge.path) instead of the key authorization"
        case .wrongBody(let address, let start):
            return "\(address) answered 200 but with other content (\"\(start)\"): another route or a default backend serves \(challenge.path) ahead of the solver"
        }
    }

    /// When the route seems not to be there (a 404, or a 503 while the solver runs): whether
    /// the class asked for exists, and which do.
    private static func classHint(_ observation: ProbeObservation, solver: HTTP01Solver, pod: Pod?, classes: [IngressClass]?) -> String? {
        guard case .status(_, let code, _) = observation, code == 404 || (code == 503 && pod?.phase == "Running"),
              let classes, solver.editIngress == nil else { return nil }
        if let name = solver.className {
            guard !classes.contains(where: { $0.name == name }) else { return nil }
            return "no IngressClass named \(name) exists — \(IngressClassCheck.describe(classes))"
        }
        guard !classes.contains(where: \.isDefault) else { return nil }
        return "no IngressClass is marked default, so an Ingress without a class may be served by none — \(IngressClassCheck.describe(classes))"
    }

    /// The solver Pod's state, when it is not running: its phase and each waiting reason.
    static func podState(_ pod: Pod) -> String? {
        guard pod.phase != "Running" else { return nil }
        var text = "solver pod \(pod.namespace ?? "")/\(pod.name) is \(pod.phase ?? "not yet scheduled")"
        let reasons = pod.waiting.map { waiting in waiting.message.map { "\(waiting.reason): \($0)" } ?? waiting.reason }
        let unschedulable = pod.conditions.filter { $0.type == "PodScheduled" && $0.status == "False" }.map { [$0.reason, $0.message].compactMap { $0 }.joined(separator: ": ") }
        let details = reasons + unschedulable
        if !details.isEmpty { text += " (\(details.joined(separator: "; ")))" }
        if pod.waiting.contains(where: { ["ErrImagePull", "ImagePullBackOff", "InvalidImageName"].contains($0.reason) }) {
            text += "; give an image the nodes can pull with --http01-solver-image"
        }
        return text
    }
}
