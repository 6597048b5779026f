import CertCore
import Foundation

/// One certificate `renew` considers: what to issue, the Secret as listed, and the settings
/// recorded on it.
struct RenewalCandidate: Sendable {
    var spec: CertificateSpec
    var secret: Secret?
    var recorded: RecordedSettings?
    /// The flags its renewal runs with.
    var acme: ACMEOptions
    var dns: DNSOptions
    /// The HTTP-01 solver its renewal uses: what `issue --http01` recorded, under the flags.
    var http01: HTTP01Solver? = nil

    /// namespace/secret: what Leases, shards and the report go by.
    var key: String { "\(spec.namespace)/\(spec.secretName)" }
}

/// Finds what `renew` considers: every Secret the plugin manages (in a namespace or all), or
/// the targets the user names — Secrets, Ingresses, cert-manager Certificates. A target that
/// cannot be read is reported on its own; it never stops the others.
struct RenewalCandidates {
    var client: KubernetesClient
    var acme: ACMEOptions
    var dns: DNSOptions
    var http01: HTTP01Options

    struct Unreadable: Sendable {
        var namespace: String
        var name: String
        var message: String
    }

    func managed(namespace: String?, labelSelector: String?) async throws -> (candidates: [RenewalCandidate], unreadable: [Unreadable]) {
        let secrets = try await client.list(Secret.self, namespace: namespace, labelSelector: labelSelector, fieldSelector: "type=\(Secret.tlsType)")
        var candidates: [RenewalCandidate] = [], unreadable: [Unreadable] = []
        for secret in secrets where SecretWriter.ownership(of: secret) == .ours {
            do {
                candidates.append(try await candidate(for: secret))
            } catch {
                unreadable.append(Unreadable(namespace: secret.namespace ?? "", name: "secret/\(secret.name)", message: CommandFailure(error).message))
            }
        }
        return (candidates, unreadable)
    }

    func named(_ targets: [Target], namespace: String) async -> (candidates: [RenewalCandidate], unreadable: [Unreadable]) {
        var candidates: [RenewalCandidate] = [], unreadable: [Unreadable] = []
        for target in targets {
            do {
                switch target.kind {
                case .secret:
                    let secret = try await client.get(Secret.self, name: target.name, namespace: namespace)
                    guard SecretWriter.ownership(of: secret) == .ours else {
                        throw CommandFailure(message: "Secret \(namespace)/\(target.name) is not managed by kubectl-certs; issue into it with --adopt first, or renew the ingress/ or certificate/ it serves")
                    }
                    candidates.append(try await candidate(for: secret))
                case .ingress, .certificate:
                    for spec in try await IssueTargets(client: client, acme: acme, namespace: namespace).specs(target: target, domains: [], secret: nil) {
                        let secret = try await client.getIfPresent(.secrets, name: spec.secretName, namespace: namespace).map(Secret.init(object:))
                        let recorded = secret.map(RecordedSettings.init)
                        let (acme, dns) = recorded?.options(acme: acme, dns: dns) ?? (acme, dns)
                        candidates.append(RenewalCandidate(spec: spec, secret: secret, recorded: recorded, acme: acme, dns: dns, http01: recorded?.http01Solver(dns: dns, http01: http01)))
                    }
                }
            } catch {
                unreadable.append(Unreadable(namespace: namespace, name: "\(target.kind.rawValue)/\(target.name)", message: CommandFailure(error).message))
            }
        }
        return (candidates, unreadable)
    }

    /// A managed Secret as a certificate to renew: from the Ingress or Certificate it was
    /// issued for when that still uses it (its hosts, labels and key settings may have
    /// changed), else as recorded.
    private func candidate(for secret: Secret) async throws -> RenewalCandidate {
        let recorded = RecordedSettings(secret)
        let (acme, dns) = recorded.options(acme: acme, dns: dns)
        let namespace = secret.namespace ?? "default"
        if let text = recorded.target, let target = Target(text), target.kind != .secret {
            do {
                let specs = try await IssueTargets(client: client, acme: acme, namespace: namespace).specs(target: target, domains: [], secret: nil)
                if let spec = specs.first(where: { $0.secretName == secret.name }) {
                    return RenewalCandidate(spec: spec, secret: secret, recorded: recorded, acme: acme, dns: dns, http01: recorded.http01Solver(dns: dns, http01: http01))
                }
            } catch let error as KubernetesError where error.kind == .notFound {
                // Issued for an object that is gone: renew what was recorded.
            }
        }
        guard !recorded.names.isEmpty else {
            throw CommandFailure(message: "Secret \(namespace)/\(secret.name) records no names (annotation \(IssueAnnotations.domains)); issue it again with kubectl certs issue")
        }
        let spec = recorded.spec(for: secret, keyType: acme.keyType.flatMap(KeyType.init(rawValue:)))
        return RenewalCandidate(spec: spec, secret: secret, recorded: recorded, acme: acme, dns: dns, http01: recorded.http01Solver(dns: dns, http01: http01))
    }
}
