import CertCore
import Foundation
import TestSupport
import Testing

/// A run killed while issuing into one Secret, and the command run again for the same names
/// with another `--secret`: the new run takes over the records the killed one left, removes
/// them, and removes its pending record, so nothing is left behind.
@Suite(.lab) struct IssueChangedSecretTests {
    @Test func aRerunWithAnotherSecretRemovesWhatAKilledRunLeft_AgainstLab() async throws {
        let lab = try IssueLab()
        let namespace = try await lab.namespace()
        let name = "\(IssueLab.label()).\(lab.zone)"
        let killed = try lab.startIssue(["-d", name, "--secret", "first-tls", "-n", namespace, "--dns", "rfc2136", "--propagation-wait", "20s"],
                                        signalOn: .init("TXT published", signal: SIGKILL))
        #expect(await killed.wait() == SIGKILL)
        #expect(try LabDNS.txt("_acme-challenge.\(name)", at: lab.primary).count == 1, "the killed run left its record")
        #expect(try await lab.client.getIfPresent(.secrets, name: "kubectl-certs-pending-first-tls", namespace: namespace) != nil)

        let rerun = try await lab.issue(["-d", name, "--secret", "second-tls", "-n", namespace, "--dns", "rfc2136"])
        #expect(rerun.status == 0, "\(rerun.stderr)")
        #expect(rerun.stderr.contains("taking over 1 record(s) an unfinished run left in Secret \(namespace)/kubectl-certs-pending-first-tls (for Secret first-tls)"), "\(rerun.stderr)")
        #expect(try lab.verifyChain(try await lab.secret("second-tls", namespace)))
        #expect(try await lab.client.getIfPresent(.secrets, name: "kubectl-certs-pending-first-tls", namespace: namespace) == nil)
        #expect(try await lab.client.getIfPresent(.secrets, name: "kubectl-certs-pending-second-tls", namespace: namespace) == nil)
        #expect(try LabDNS.txt("_acme-challenge.\(name)", at: lab.primary).isEmpty, "records left behind")
    }
}
