import CertCore
import Foundation

/// Writes an issued certificate into a `kubernetes.io/tls` Secret the way cert-manager does:
/// `tls.crt` (leaf then chain), `tls.key`, `ca.crt` when known, cert-manager's annotations and
/// the plugin's own, in one request so key and certificate always match.
///
/// It never changes a Secret's type, never takes over a Secret it does not manage unless asked
/// (`adopt`), keeps keys, labels and annotations that belong to others, and when someone else
/// changes the Secret in between, reads it again and re-applies on the fresh copy.
struct SecretWriter {
    var client: KubernetesClient

    static let managedByLabel = "app.kubernetes.io/managed-by"
    static let managedByValue = "kubectl-certs"
    /// Our own mark, on every Secret we write: the managed-by label may belong to another
    /// tool (e.g. `Helm`), whose value is kept.
    static let managedAnnotation = "kubectl-certs.io/managed"

    struct Contents {
        var certificateChainPEM: String
        var privateKeyPEM: String
        var caPEM: String?
        /// Annotations to set (cert-manager's and `kubectl-certs.io/…`); others are kept.
        var annotations: [String: String]
    }

    enum Ownership: Equatable {
        /// Created or adopted by kubectl-certs: marked with its annotation, or labelled as
        /// managed by it.
        case ours
        /// Written by cert-manager for the Certificate being issued.
        case certManager(certificate: String)
        case foreign
    }

    struct Refusal: Error, CustomStringConvertible {
        var description: String
    }

    /// Creates or updates the Secret; returns it as stored.
    func write(name: String, namespace: String, contents: Contents, adopt: Bool, certificateName: String? = nil) async throws -> Secret {
        for attempt in 1...5 {
            do {
                guard let existing = try await client.getIfPresent(.secrets, name: name, namespace: namespace).map(Secret.init(object:)) else {
                    return Secret(object: try await client.create(fresh(name: name, namespace: namespace, contents: contents).object))
                }
                try checkMayWrite(existing, adopt: adopt, certificateName: certificateName)
                return Secret(object: try await client.update(updated(existing, contents: contents).object))
            } catch let error as KubernetesError where (error.kind == .conflict || error.kind == .alreadyExists) && attempt < 5 {
                // Someone wrote the Secret between our read and our write: start again from theirs.
                continue
            }
        }
        throw Refusal(description: "Secret \(namespace)/\(name) kept changing under us; try again")
    }

    static func ownership(of secret: Secret) -> Ownership {
        ownership(labels: secret.labels, annotations: secret.annotations)
    }

    static func ownership(labels: [String: String], annotations: [String: String]) -> Ownership {
        if annotations[managedAnnotation] == "true" || labels[managedByLabel] == managedByValue { return .ours }
        if let certificate = annotations["cert-manager.io/certificate-name"] { return .certManager(certificate: certificate) }
        return .foreign
    }

    func checkMayWrite(_ secret: Secret, adopt: Bool, certificateName: String?) throws {
        let where_ = "\(secret.namespace ?? "")/\(secret.name)"
        guard secret.type == Secret.tlsType else {
            throw Refusal(description: "Secret \(where_) has type \(secret.type); kubectl-certs never changes a Secret's type: choose another --secret name, or delete that Secret yourself")
        }
        switch Self.ownership(of: secret) {
        case .ours:
            return
        case .certManager(let certificate) where certificate == certificateName:
            return
        case .certManager(let certificate):
            if adopt { return }
            throw Refusal(description: "Secret \(where_) belongs to cert-manager Certificate \(certificate); issue for certificate/\(certificate), or pass --adopt to take the Secret over")
        case .foreign:
            if adopt { return }
            throw Refusal(description: "Secret \(where_) exists and is not managed by kubectl-certs; pass --adopt to take it over (its other keys, labels and annotations are kept)")
        }
    }

    private func fresh(name: String, namespace: String, contents: Contents) -> Secret {
        var secret = Secret(name: name, namespace: namespace)
        secret.type = Secret.tlsType
        return updated(secret, contents: contents)
    }

    private func updated(_ secret: Secret, contents: Contents) -> Secret {
        var secret = secret
        secret.setData("tls.crt", Data(contents.certificateChainPEM.utf8))
        secret.setData("tls.key", Data(contents.privateKeyPEM.utf8))
        if let ca = contents.caPEM { secret.setData("ca.crt", Data(ca.utf8)) }
        // Another tool's managed-by label stays; the annotation says the Secret is ours.
        if secret.labels[Self.managedByLabel] == nil { secret.labels[Self.managedByLabel] = Self.managedByValue }
        secret.annotations.merge(contents.annotations) { $1 }
        secret.annotations[Self.managedAnnotation] = "true"
        return secret
    }
}
