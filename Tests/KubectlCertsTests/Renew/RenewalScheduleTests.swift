@testable import kubectl_certs
import CertCore
import Foundation
import TestSupport
import Testing

/// When a certificate is due, on certificates with known dates (TestPKI signs them).
@Suite struct RenewalScheduleTests {
    let pki: TestPKI
    /// Valid for two days from now.
    let leaf: Certificate

    init() throws {
        pki = try TestPKI()
        let issued = try pki.server("sched", dnsNames: ["a.example.test", "b.example.test"])
        leaf = try #require(try Certificate.parseChain(pem: String(decoding: issued.certificatePEM, as: UTF8.self)).first)
    }

    func schedule(at date: Date, within: Duration? = nil) -> RenewalSchedule {
        RenewalSchedule(now: date, within: within)
    }

    func window(_ start: Date, _ end: Date) -> ACMERenewalInfo {
        ACMERenewalInfo(windowStart: start, windowEnd: end, explanationURL: nil, retryAfter: nil)
    }

    @Test func missingExpiredOrShortOfANameIsDueWhateverTheCASays() {
        let names = ["a.example.test", "b.example.test"]
        let future = window(leaf.notAfter.addingTimeInterval(100), leaf.notAfter.addingTimeInterval(200))
        let fresh = leaf.notBefore.addingTimeInterval(60)
        #expect(schedule(at: fresh).decide(leaf: nil, names: names, window: future) == .due("the Secret holds no certificate"))
        guard case .due(let expired) = schedule(at: leaf.notAfter.addingTimeInterval(1)).decide(leaf: leaf, names: names, window: future) else { Issue.record("expired not due"); return }
        #expect(expired.hasPrefix("expired"))
        #expect(schedule(at: fresh).decide(leaf: leaf, names: names + ["c.example.test"], window: future) == .due("not issued for c.example.test"))
        #expect(schedule(at: fresh).decide(leaf: leaf, names: ["B.Example.Test"], window: future) != .due("not issued for b.example.test"), "names compare in their ASCII lower-case form")
    }

    @Test func theCAsWindowDecidesWhenItIsOffered() {
        let names = ["a.example.test"]
        let lifetime = leaf.notAfter.timeIntervalSince(leaf.notBefore)
        // Past the last third of its lifetime, but the CA's window is later: not due until inside it.
        let late = leaf.notBefore.addingTimeInterval(lifetime * 0.8)
        let later = window(late.addingTimeInterval(3600), late.addingTimeInterval(7200))
        guard case .notDue(let until, let why) = schedule(at: late).decide(leaf: leaf, names: names, window: later) else { Issue.record("due despite the window"); return }
        #expect(until >= later.windowStart && until <= later.windowEnd)
        #expect(why.contains("renewal window"))
        // A window already past: now.
        let past = window(late.addingTimeInterval(-7200), late.addingTimeInterval(-3600))
        guard case .due(let reason) = schedule(at: late).decide(leaf: leaf, names: names, window: past) else { Issue.record("not due inside a past window"); return }
        #expect(reason.contains("inside the CA's renewal window"))
        // Early in its life the CA may still say now (e.g. a revocation).
        #expect(schedule(at: leaf.notBefore.addingTimeInterval(60)).decide(leaf: leaf, names: names, window: past) != .due("the Secret holds no certificate"))
    }

    @Test func withoutAWindowWithinOrTheLastThirdDecides() {
        let names = ["a.example.test"]
        let lifetime = leaf.notAfter.timeIntervalSince(leaf.notBefore)
        let early = leaf.notBefore.addingTimeInterval(lifetime * 0.5)
        guard case .notDue(let until, _) = schedule(at: early).decide(leaf: leaf, names: names, window: nil) else { Issue.record("due at half its life"); return }
        #expect(abs(until.timeIntervalSince(leaf.notAfter.addingTimeInterval(-lifetime / 3))) < 1)
        guard case .due = schedule(at: leaf.notBefore.addingTimeInterval(lifetime * 0.7)).decide(leaf: leaf, names: names, window: nil) else { Issue.record("not due in the last third"); return }
        // --within: due inside it, else not due until it begins (even in the last third).
        let within = Duration.seconds(lifetime * 0.6)
        guard case .due = schedule(at: early, within: within).decide(leaf: leaf, names: names, window: nil) else { Issue.record("not due within --within"); return }
        let short = Duration.seconds(3600)
        guard case .notDue(let start, _) = schedule(at: leaf.notBefore.addingTimeInterval(lifetime * 0.7), within: short).decide(leaf: leaf, names: names, window: nil) else { Issue.record("due outside --within"); return }
        #expect(abs(start.timeIntervalSince(leaf.notAfter.addingTimeInterval(-3600))) < 1)
        // --within also renews what the CA's window would leave for later.
        let later = window(leaf.notAfter.addingTimeInterval(-60), leaf.notAfter)
        guard case .due = schedule(at: early, within: within).decide(leaf: leaf, names: names, window: later) else { Issue.record("--within ignored beside a window"); return }
    }
}

/// Shards split any set of certificates without overlap and the same way on every run.
@Suite struct ShardTests {
    @Test func shardsPartitionTheSetStably() throws {
        let keys = (0..<2000).map { "ns-\($0 % 37)/tls-\($0)" }
        for count in [1, 2, 3, 7] {
            let shards = (0..<count).map { Shard(index: $0, count: count)! }
            for key in keys { #expect(shards.filter { $0.owns(key) }.count == 1) }
            let sizes = shards.map { shard in keys.filter(shard.owns).count }
            // Roughly even: no shard holds less than half its share.
            #expect(sizes.allSatisfy { $0 * count * 2 > keys.count }, "\(sizes)")
        }
        // FNV-1a of the key: fixed across runs and machines.
        #expect(Shard(index: 0, count: 2)!.owns("shop/web-tls") == Shard(parsing: "0/2")!.owns("shop/web-tls"))
        #expect(Shard(parsing: "2/2") == nil && Shard(parsing: "-1/2") == nil && Shard(parsing: "0/0") == nil && Shard(parsing: "1") == nil)
    }

    @Test func shardsTakesTheIndexedJobsCompletionIndex() throws {
        let command = try KubectlCerts.Renew.parse(["-A", "--shards", "3"])
        #expect(try command.chosenShard(environment: ["JOB_COMPLETION_INDEX": "2"]) == Shard(index: 2, count: 3))
        #expect(throws: CommandFailure.self) { try command.chosenShard(environment: [:]) }
        #expect(throws: CommandFailure.self) { try command.chosenShard(environment: ["JOB_COMPLETION_INDEX": "3"]) }
        #expect(try KubectlCerts.Renew.parse(["-A", "--shard", "1/4"]).chosenShard(environment: [:]) == Shard(index: 1, count: 4))
    }
}
