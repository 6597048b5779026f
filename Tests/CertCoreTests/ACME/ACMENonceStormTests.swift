import CertCore
import Foundation
import TestSupport
import Testing

/// The ACME client against a Pebble of the test's own that rejects nine good nonces in ten
/// (the lab's Pebble rejects half): every order still ends in a certificate.
@Suite(.lab) struct ACMENonceStormTests {
    @Test func twentyCertificatesWithNineNoncesInTenRejected_AgainstPebble() async throws {
        let pebble = try await OwnPebble(nonceRejectPercent: 90)
        // `scripts/reliability` repeats the storm with RELIABILITY_RUNS.
        let runs = max(1, Int(ProcessInfo.processInfo.environment["RELIABILITY_RUNS"] ?? "") ?? 1)
        for _ in 0..<runs {
            try await storm(pebble)
        }
    }

    private func storm(_ pebble: OwnPebble) async throws {
        let started = ContinuousClock.now
        let lab = try PebbleLab()
        let server = try ACMEServer(pebble.directoryURL)
        let client = try await ACMEClient.connect(to: server, accountKey: try PrivateKey.generate(.ec256), http: lab.http)
        _ = try await client.register(contact: ["mailto:storm@example.org"], termsOfServiceAgreed: true)
        // Four lanes of five orders in a row: twenty orders, each for a fresh name.
        let outcomes = await withTaskGroup(of: [Result<PebbleLab.Issued, any Error>].self) { group in
            for _ in 0..<4 {
                group.addTask {
                    var results: [Result<PebbleLab.Issued, any Error>] = []
                    for _ in 0..<5 {
                        let name = PebbleLab.uniqueName()
                        do { results.append(.success(try await lab.issue(client, names: [name]))) } catch { results.append(.failure(error)) }
                    }
                    return results
                }
            }
            return await group.reduce(into: []) { $0 += $1 }
        }
        let failures = outcomes.compactMap { outcome -> String? in
            if case .failure(let error) = outcome { return "\(error)" }
            return nil
        }
        #expect(failures.isEmpty, "\(failures.count) of 20 failed: \(failures)")
        print(String(format: "RELIABILITY scenario=nonce-reject-90-20-certs ok=%@ failures=%d seconds=%.1f", failures.isEmpty ? "1" : "0", failures.count, (ContinuousClock.now - started).seconds))
        for case .success(let issued) in outcomes {
            #expect(issued.chain.leaf.matches(issued.key))
            #expect(issued.challengesAnswered == 1)
        }
    }
}
