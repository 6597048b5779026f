import CertCore
import DNS01
import Foundation
import Providers

/// Which configured solver proves a name: the one `--dns` names, or one of an issuer's
/// solvers, told apart by its place in `spec.acme.solvers` — two solvers of one provider kind
/// (e.g. two rfc2136 solvers for zones on different primaries) are different solvers.
struct SolverIdentity: Codable, Hashable, Sendable, CustomStringConvertible {
    /// The provider code (`rfc2136`).
    var provider: String
    /// The solver's index in the issuer's `spec.acme.solvers`; nil for `--dns`.
    var issuerSolver: Int?

    var description: String {
        issuerSolver.map { "\(provider), solver \($0 + 1) of the issuer" } ?? provider
    }
}

/// The solvers of one certificate: one per distinct solver, and which proves each name.
struct IssueSolvers: Sendable {
    /// The solver for each name of the certificate (as ordered, wildcards with `*.`).
    var byDomain: [String: SolverIdentity]
    /// The DNS-01 solvers.
    var byIdentity: [SolverIdentity: DNS01Solver]
    /// The HTTP-01 solvers (provider code `http01`).
    var http01: [SolverIdentity: HTTP01Solver] = [:]

    static let http01Code = "http01"

    /// The provider codes in use, for the Secret's annotation.
    var providerCodes: [String] { Set(byIdentity.keys.map(\.provider)).sorted() }

    func identity(for domain: String) throws -> SolverIdentity {
        guard let identity = byDomain[domain.lowercased()] else {
            throw CommandFailure(message: "the CA asked to prove \(domain), which is not among the names ordered")
        }
        return identity
    }

    /// Builds each solver once, with its credentials, for the names of `spec`.
    static func make(for spec: CertificateSpec, settings: IssueSettings, client: KubernetesClient, resolver: DNSResolver, propagation: PropagationFlags) async throws -> IssueSolvers {
        var byDomain: [String: SolverIdentity] = [:]
        var byIdentity: [SolverIdentity: DNS01Solver] = [:]
        var http01: [SolverIdentity: HTTP01Solver] = [:]
        let discovery = ZoneDiscovery(resolver: resolver)
        for domain in spec.orderNames {
            let identity: SolverIdentity
            let environment: ProviderEnvironment
            switch settings.dns {
            case .provider(let code, let providerEnvironment):
                identity = SolverIdentity(provider: code)
                environment = providerEnvironment
            case .http01(let solver):
                identity = SolverIdentity(provider: http01Code)
                byDomain[domain] = identity
                http01[identity] = solver
                continue
            case .solvers(let solvers, let secretNamespace):
                guard let index = SolverSelection.choose(for: domain, among: solvers, labels: spec.labels) else {
                    let why = domain.hasPrefix("*.") ? " (a wildcard can be proven by DNS-01 only, so only dns01 solvers count for it)" : ""
                    throw CommandFailure(message: "no solver of \(settings.issuer.map { "\($0.kind) \($0.name)" } ?? "the issuer") matches \(domain)\(why)", exitStatus: .usage)
                }
                if let known = (Array(byIdentity.keys) + Array(http01.keys)).first(where: { $0.issuerSolver == index }) {
                    byDomain[domain] = known
                    continue
                }
                let issuer = settings.issuer.map { "\($0.kind) \($0.name)" } ?? "the issuer"
                if let block = solvers[index]["http01"] {
                    let known = SolverIdentity(provider: http01Code, issuerSolver: index)
                    http01[known] = try HTTP01Solver(certManager: block, describing: "solver \(index + 1) of \(issuer)")
                    byDomain[domain] = known
                    continue
                }
                let (code, solverEnvironment) = try await SolverCredentials(client: client).provider(for: solvers[index], domain: domain, secretNamespace: secretNamespace, issuer: issuer)
                identity = SolverIdentity(provider: code, issuerSolver: index)
                environment = solverEnvironment
            }
            byDomain[domain] = identity
            if byIdentity[identity] == nil {
                let configured = try ConfiguredProvider(code: identity.provider, environment: environment)
                byIdentity[identity] = configured.solver(discovery: discovery, timeout: propagation.timeout, fixedWait: propagation.fixedWait)
            }
        }
        return IssueSolvers(byDomain: byDomain, byIdentity: byIdentity, http01: http01)
    }
}
