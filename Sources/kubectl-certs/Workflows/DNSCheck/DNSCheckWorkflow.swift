import CertCore
import DNS01
import Foundation
import Providers
import Synchronization

/// `dns check`: where a domain's DNS-01 record lives and what every authoritative nameserver
/// serves there; with a provider, a live probe that publishes a random value, times its arrival
/// on each nameserver, and removes it.
struct DNSCheckWorkflow {
    var discovery: ZoneDiscovery
    var propagation: PropagationFlags
    /// How long to wait for each nameserver's answer when describing what it serves.
    var queryTimeout: Duration = .seconds(2)

    func describe(_ domain: String) async throws -> (ChallengeTarget, String) {
        let target = try await discovery.discover(domain: domain)
        var lines = [
            "domain:       \(domain)",
            "challenge:    \(target.challengeName)",
            "CNAME chain:  \(target.cnameChain.isEmpty ? "(none)" : target.cnameChain.joined(separator: " -> "))",
            "record at:    \(target.fqdn) in zone \(target.zone)",
            "nameservers:",
        ]
        for nameserver in target.nameservers {
            for address in nameserver.addresses {
                lines.append("  \(nameserver.name.padding(toLength: 24, withPad: " ", startingAt: 0)) \(address.description.padding(toLength: 22, withPad: " ", startingAt: 0)) \(await serves(target.fqdn, at: address))")
            }
            for skipped in nameserver.skipped {
                lines.append("  \(nameserver.name.padding(toLength: 24, withPad: " ", startingAt: 0)) \(skipped)")
            }
        }
        return (target, lines.joined(separator: "\n") + "\n")
    }

    /// What one server answers for the record, in words.
    private func serves(_ fqdn: String, at server: DNSServer) async -> String {
        do {
            let response = try await DNSResolver.direct(server, timeout: queryTimeout).query(fqdn, .txt)
            if response.rcode == .nameError { return "NXDOMAIN (no record)" }
            if response.rcode != .noError { return "\(response.rcode)" }
            let values = response.txtValues(at: fqdn)
            return values.isEmpty ? "no TXT record" : values.map { "\"\($0)\"" }.joined(separator: ", ")
        } catch {
            return "no answer: \(error)"
        }
    }

    /// Publishes a random value through `configured`, waits for every nameserver, removes it.
    /// Returns the per-nameserver arrival times, in words.
    /// What the probe leaves on a server is noted in `outstanding`.
    func probe(_ domain: String, through configured: ConfiguredProvider, progress: ProgressDisplay, outstanding: OutstandingRecords) async throws -> String {
        let value = "kubectl-certs-probe-" + UUID().uuidString.lowercased()
        let provider = configured.provider
        let solver = configured.solver(discovery: discovery, timeout: propagation.timeout, fixedWait: propagation.fixedWait)
        let started = ContinuousClock.now
        let arrivals = Mutex<[String: Duration]>([:])
        progress.begin(names: [domain.lowercased()], stage: "publishing a probe")
        try await solver.solve([DNSChallenge(domain: domain, value: value)]) { event in
            if case .propagation(.answer(_, _, let nameserver, let address, .visible)) = event {
                arrivals.withLock { if $0["\(nameserver) (\(address))"] == nil { $0["\(nameserver) (\(address))"] = ContinuousClock.now - started } }
            }
            progress.dns(event)
            outstanding.observe(event, via: provider.code)
        }
        let times = arrivals.withLock { $0 }
        var lines = ["probe via \(provider.code): \"\(value)\""]
        for (server, time) in times.sorted(by: { $0.value < $1.value }) {
            lines.append("  \(server.padding(toLength: 44, withPad: " ", startingAt: 0)) visible after \(String(format: "%.2f", time.seconds)) s")
        }
        let slowest = times.values.max() ?? .zero
        let removal = outstanding.summary.map { "the probe record could not be removed: \($0)" } ?? "the probe record was removed"
        lines.append("propagation took \(String(format: "%.2f", slowest.seconds)) s; \(removal)")
        return lines.joined(separator: "\n") + "\n"
    }
}
