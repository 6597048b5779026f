import CertCore
import Foundation
import TestSupport
import Testing

/// What a failed or interrupted run leaves behind: nothing when its records are gone; the
/// pending record, naming what is left, when they are not.
@Suite(.lab) struct IssueCleanupTests {
    /// A nameserver address on loopback where nothing listens: every update waits its full timeout.
    static let deadNameserver = "127.0.0.9"

    /// The pending record's challenge record names.
    func pendingRecordNames(_ lab: IssueLab, secret: String, namespace: String) async throws -> [String] {
        guard let pending = try await lab.client.getIfPresent(.secrets, name: "kubectl-certs-pending-\(secret)", namespace: namespace),
              let data = Secret(object: pending).data["pending.json"],
              let json = try JSONSerialization.jsonObject(with: data) as? [String: Any] else { return [] }
        return ((json["records"] as? [[String: Any]]) ?? []).compactMap { $0["fqdn"] as? String }
    }

    @Test func aRunThatFailsAfterOrderingLeavesNoPendingRecord_AgainstLab() async throws {
        let lab = try IssueLab()
        let namespace = try await lab.namespace()
        let label = IssueLab.label()
        // The second name's challenge record is a CNAME loop: the run fails after placing the
        // order and before publishing anything.
        let result = try await lab.issue(["-d", "\(label).\(lab.zone)", "-d", "loop.\(lab.zone)", "--secret", "fail-tls", "-n", namespace, "--dns", "rfc2136"])
        #expect(result.status != 0)
        #expect(result.stderr.contains("order "), "\(result.stderr)")
        #expect(try await lab.client.getIfPresent(.secrets, name: "kubectl-certs-pending-fail-tls", namespace: namespace) == nil, "\(result.stderr)")
    }

    @Test func interruptedWithADeadNameserverItSaysWhatIsLeftAndKeepsIt_AgainstLab() async throws {
        let lab = try IssueLab()
        let namespace = try await lab.namespace()
        let name = "\(IssueLab.label()).\(lab.zone)"
        var environment = lab.environment
        environment["RFC2136_NAMESERVER"] = Self.deadNameserver
        // -vv logs each API request: the pending record's update with the records comes just
        // before they are published.
        // Signalled from the thread that reads its stderr, the moment the line appears.
        let running = try RunningCommand(["kubectl", "certs", "issue", "-vv", "-d", name, "--secret", "dead-tls", "-n", namespace, "--dns", "rfc2136"] + lab.acmeFlags,
                                         environment: environment, signalOn: .init("secrets/kubectl-certs-pending-dead-tls 200", signal: SIGINT))
        #expect(await running.wait() == 130)
        #expect(running.stderr.contains("secrets/kubectl-certs-pending-dead-tls 200"))
        #expect(!running.stderr.contains("were removed"), "\(running.stderr)")
        #expect(running.stderr.contains("not removed: TXT _acme-challenge.\(name)"), "\(running.stderr)")
        #expect(try await pendingRecordNames(lab, secret: "dead-tls", namespace: namespace).contains("_acme-challenge.\(name)."))
    }

    @Test func aSecondInterruptExitsWithoutWaitingForCleanup_AgainstLab() async throws {
        let lab = try IssueLab()
        let namespace = try await lab.namespace()
        let name = "\(IssueLab.label()).\(lab.zone)"
        var environment = lab.environment
        environment["RFC2136_NAMESERVER"] = Self.deadNameserver
        // Both interrupts are sent from the thread that reads its stderr, the moment each line
        // appears: a busy test pool cannot make the second one late.
        let running = try RunningCommand(["kubectl", "certs", "issue", "-vv", "-d", name, "--secret", "twice-tls", "-n", namespace, "--dns", "rfc2136"] + lab.acmeFlags,
                                         environment: environment, signals: [.init("secrets/kubectl-certs-pending-twice-tls 200", signal: SIGINT),
                                                                             .init("interrupted: removing", signal: SIGINT)])
        #expect(await running.wait() == 130)
        #expect(running.stderr.contains("interrupted again"), "\(running.stderr)")
        #expect(running.stderr.contains("_acme-challenge.\(name)"), "\(running.stderr)")
        #expect(!running.stderr.contains("were removed"), "\(running.stderr)")
        #expect(try await pendingRecordNames(lab, secret: "twice-tls", namespace: namespace).contains("_acme-challenge.\(name)."))
    }
}
