import CertCore
import DNS01
import Foundation

/// `issue --dry-run`: what would be ordered, proven and written, checked as far as possible
/// without ordering anything or writing anything.
struct IssuePlanner {
    var workflow: IssueWorkflow

    func plan(_ specs: [CertificateSpec]) async throws -> String {
        var lines: [String] = []
        for spec in specs {
            lines.append("certificate for \(spec.orderNames.joined(separator: ", ")) (\(spec.origin))")
            let settings = try await workflow.settings(spec)
            lines.append("  ACME server:  \(settings.server.directoryURL)")
            let account = try await workflow.client.getIfPresent(.secrets, name: settings.accountSecret.name, namespace: settings.accountSecret.namespace)
            lines.append("  account key:  Secret \(settings.accountSecret.namespace)/\(settings.accountSecret.name) (\(account == nil ? "would be created" : "exists"))")
            if let issuer = settings.issuer { lines.append("  issuer:       \(issuer.kind) \(issuer.name)") }
            lines.append("  key:          \(spec.keyType.rawValue)")
            let secret = try await workflow.client.getIfPresent(.secrets, name: spec.secretName, namespace: spec.namespace).map(Secret.init(object:))
            var secretState = "would be created"
            if let secret {
                do {
                    try SecretWriter(client: workflow.client).checkMayWrite(secret, adopt: workflow.adopt, certificateName: spec.certificateName)
                    secretState = "would be updated"
                } catch {
                    secretState = "REFUSED: \(error)"
                }
            }
            lines.append("  secret:       \(spec.namespace)/\(spec.secretName) (\(secretState))")
            let solvers = try await workflow.dnsSolvers(for: spec, settings: settings)
            for domain in spec.orderNames {
                if let identity = solvers.byDomain[domain], let http01 = solvers.http01[identity] {
                    let route = http01.editIngress.map { "paths added to ingress \(spec.namespace)/\($0)" } ?? "an Ingress of \(http01.classDescription)"
                    lines.append("  \(domain): HTTP-01, solver pod (\(http01.image)) and service in \(spec.namespace), \(route)")
                    continue
                }
                guard let identity = solvers.byDomain[domain], let solver = solvers.byIdentity[identity] else { continue }
                do {
                    let target = try await solver.discovery.discover(domain: domain)
                    let via = target.cnameChain.isEmpty ? "" : " (CNAME to \(target.fqdn))"
                    lines.append("  \(domain): --dns \(identity), TXT \(target.fqdn)\(via) in zone \(target.zone), nameservers \(target.nameservers.map(\.description).joined(separator: ", "))")
                } catch {
                    lines.append("  \(domain): --dns \(identity); DNS discovery failed: \(error)")
                }
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
