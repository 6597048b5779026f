/// A TARGET argument as kubectl writes them: `ingress/web` (`ing/`), `certificate/web`
/// (`cert/`, `certificates/`), `secret/web-tls`.
struct Target: Equatable {
    enum Kind: String {
        case ingress, certificate, secret
    }

    var kind: Kind
    var name: String

    init?(_ text: String) {
        let parts = text.split(separator: "/", maxSplits: 1)
        guard parts.count == 2, !parts[1].isEmpty, !parts[1].contains("/") else { return nil }
        switch parts[0].lowercased() {
        case "ingress", "ingresses", "ing", "ingress.networking.k8s.io": kind = .ingress
        case "certificate", "certificates", "cert", "certs", "certificate.cert-manager.io": kind = .certificate
        case "secret", "secrets": kind = .secret
        default: return nil
        }
        name = String(parts[1])
    }

    /// Whether a status row is about this target: an Ingress or Certificate by name, a
    /// Secret wherever it is used.
    func selects(_ row: StatusRow) -> Bool {
        switch kind {
        case .ingress: return row.name == "ingress/\(name)"
        case .certificate: return row.name == "certificate/\(name)"
        case .secret: return row.secret == name
        }
    }
}
