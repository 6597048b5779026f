import CertCore
import Foundation
import TestSupport
import Testing

/// `kubectl certs renew` end to end on the lab (Pebble, BIND + Knot, the Kubernetes API test
/// server, the real kubectl): Secrets from `issue` are renewed with no flags but the lab's
/// trust and resolver — everything else comes from what `issue` recorded.
@Suite(.lab) struct RenewCommandTests {
    struct Report: Decodable {
        struct Item: Decodable {
            var namespace: String
            var secret: String
            var names: [String]
            var outcome: String
            var reason: String
            var dueAt: String?
            var serial: String?
        }
        var items: [Item]
    }

    static func report(_ result: Subprocess.Result) throws -> Report {
        try JSONDecoder().decode(Report.self, from: Data(result.stdout.utf8))
    }

    static func report(_ text: String) throws -> Report {
        try JSONDecoder().decode(Report.self, from: Data(text.utf8))
    }

    static func leaf(_ secret: Secret) throws -> Certificate {
        try #require(try Certificate.parseChain(pem: String(decoding: secret.data["tls.crt"] ?? Data(), as: UTF8.self)).first)
    }

    @Test func renewsWhatIsDueWithWhatIssueRecordedAndAFailureStaysAlone_AgainstLab() async throws {
        let lab = try IssueLab()
        let namespace = try await lab.namespace()
        let (a, b, c) = ("\(IssueLab.label()).\(lab.zone)", "\(IssueLab.label()).\(lab.zone)", "\(IssueLab.label()).\(lab.zone)")
        #expect(try await lab.issue(["-d", "*.\(a)", "-d", a, "--secret", "wild-tls", "-n", namespace, "--dns", "rfc2136", "--key-type", "rsa2048"]).status == 0)
        #expect(try await lab.issue(["-d", b, "--secret", "plain-tls", "-n", namespace, "--dns", "rfc2136"]).status == 0)
        // Credentials from a Secret, which is then deleted: that renewal must fail on its own.
        var credentials = Secret(name: "dns-creds", namespace: namespace)
        credentials.data = ["RFC2136_NAMESERVER": Data(lab.primary.utf8), "RFC2136_TSIG_KEY": Data(lab.tsigKey.utf8), "RFC2136_TSIG_SECRET": Data(lab.tsigSecret.utf8)]
        _ = try await lab.client.create(credentials.object)
        #expect(try await lab.issue(["-d", c, "--secret", "creds-tls", "-n", namespace, "--dns", "rfc2136", "--dns-credentials", "secret/dns-creds"]).status == 0)
        #expect(try await lab.secret("creds-tls", namespace).annotations["kubectl-certs.io/dns-credentials"] == "secret/dns-creds")
        try await lab.client.delete(.secrets, name: "dns-creds", namespace: namespace)
        let before = try await ["wild-tls", "plain-tls", "creds-tls"].asyncMap { try await lab.secret($0, namespace) }

        // Fresh certificates are not due: each is reported with the time it will be.
        let early = try await lab.renew(["-n", namespace, "-o", "json"])
        #expect(early.status == 0, "\(early.stderr)")
        let notDue = try Self.report(early)
        #expect(notDue.items.map(\.outcome) == ["notDue", "notDue", "notDue"])
        #expect(notDue.items.allSatisfy { $0.dueAt != nil && $0.reason.contains("last third") })
        for secret in before { #expect(try await lab.secret(secret.name, namespace).data["tls.crt"] == secret.data["tls.crt"]) }

        // With --within longer than their lifetime, all are due; the one whose credentials are gone fails alone.
        let renewed = try await lab.renew(["-n", namespace, "--within", "50000h", "-o", "json"])
        #expect(renewed.status == 1, "\(renewed.stderr)")
        #expect(renewed.stderr.contains("1 of 3 certificate(s) could not be renewed"))
        let items = Dictionary(uniqueKeysWithValues: try Self.report(renewed).items.map { ($0.secret, $0) })
        #expect(items["wild-tls"]?.outcome == "renewed")
        #expect(items["plain-tls"]?.outcome == "renewed")
        #expect(items["creds-tls"]?.outcome == "failed")
        #expect(items["creds-tls"]?.reason.contains("dns-creds") == true, "\(items["creds-tls"]?.reason ?? "")")

        for old in before.prefix(2) {
            let new = try await lab.secret(old.name, namespace)
            let (oldLeaf, newLeaf) = (try Self.leaf(old), try Self.leaf(new))
            #expect(newLeaf.serialNumber != oldLeaf.serialNumber)
            #expect(items[old.name]?.serial == newLeaf.serialNumber)
            #expect(Set(newLeaf.dnsNames) == Set(oldLeaf.dnsNames))
            #expect(newLeaf.matches(try PrivateKey(pem: String(decoding: new.data["tls.key"] ?? Data(), as: UTF8.self))))
            #expect(new.data["tls.key"] != old.data["tls.key"], "a renewal makes a new key")
            #expect(try lab.verifyChain(new))
            for key in ["kubectl-certs.io/domains", "kubectl-certs.io/dns-provider", "kubectl-certs.io/acme-server", "kubectl-certs.io/acme-account", "kubectl-certs.io/key-type"] {
                #expect(new.annotations[key] == old.annotations[key], "\(key)")
            }
        }
        #expect(try PrivateKey(pem: String(decoding: try await lab.secret("wild-tls", namespace).data["tls.key"] ?? Data(), as: UTF8.self)).type == .rsa2048)
        #expect(try await lab.secret("creds-tls", namespace).data["tls.crt"] == before[2].data["tls.crt"], "a failed renewal keeps the certificate")
        // Nothing left behind: no Lease, no pending order.
        #expect(try await lab.client.list(.leases, namespace: namespace).isEmpty)
        #expect(!renewed.stderr.contains(lab.tsigSecret) && !renewed.stdout.contains(lab.tsigSecret))
    }

    @Test func twoRunsStartedTogetherRenewEachDueSecretOnce_AgainstLab() async throws {
        let lab = try IssueLab()
        // Through the ARI proxy, which counts the CA's orders (its window is days away: only
        // --within makes them due).
        let proxy = try await ARIProxyLab(window: .future)
        let namespace = try await lab.namespace()
        for index in 0..<3 {
            #expect(try await RenewARITests().issue(lab, through: proxy, ["-d", "\(IssueLab.label()).\(lab.zone)", "--secret", "twice-\(index)", "-n", namespace, "--dns", "rfc2136"]).status == 0)
        }
        let first = try lab.startRenew(["-n", namespace, "--within", "50000h", "-o", "json"])
        let second = try lab.startRenew(["-n", namespace, "--within", "50000h", "-o", "json"])
        #expect(await first.wait() == 0, "\(first.stderr)")
        #expect(await second.wait() == 0, "\(second.stderr)")
        let outcomes = try Self.report(first.stdout).items + Self.report(second.stdout).items
        let renewed = outcomes.filter { $0.outcome == "renewed" }
        #expect(renewed.count == 3, "\(outcomes.map { "\($0.secret) \($0.outcome) \($0.reason)" })")
        #expect(Set(renewed.map(\.secret)) == ["twice-0", "twice-1", "twice-2"])
        // The run that did not renew one saw its Lease held, or the fresh certificate after it.
        #expect(outcomes.filter { $0.outcome != "renewed" }.allSatisfy { $0.outcome == "skipped" })
        for item in renewed { #expect(try Self.leaf(try await lab.secret(item.secret, namespace)).serialNumber == item.serial) }
        // Three orders to issue, three to renew: none twice.
        let orders = try await proxy.orders()
        #expect(orders.count == 6 && orders.allSatisfy { !$0.refused }, "\(orders)")
        #expect(Set(orders.map(\.names)).count == 3)
    }

    @Test func aLiveLeaseOfAnotherHolderIsRespectedAndARunOutOneTakenOver_AgainstLab() async throws {
        let lab = try IssueLab()
        let namespace = try await lab.namespace()
        #expect(try await lab.issue(["-d", "\(IssueLab.label()).\(lab.zone)", "--secret", "leased-tls", "-n", namespace, "--dns", "rfc2136"]).status == 0)
        let before = try await lab.secret("leased-tls", namespace)
        var lease = Lease(name: "kubectl-certs.leased-tls", namespace: namespace)
        lease.holderIdentity = "renewer-7f9c4_0a1b2c3d"
        lease.leaseDurationSeconds = 600
        lease.renewTime = RFC3339.microTime(Date())
        let stored = Lease(object: try await lab.client.create(lease.object))

        let held = try await lab.renew(["-n", namespace, "--within", "50000h", "-o", "json"])
        #expect(held.status == 0, "\(held.stderr)")
        let item = try #require(try Self.report(held).items.first)
        #expect(item.outcome == "skipped")
        #expect(item.reason.contains("renewer-7f9c4_0a1b2c3d"))
        #expect(try await lab.secret("leased-tls", namespace).data["tls.crt"] == before.data["tls.crt"])

        // The holder died an hour ago: its Lease ran out and blocks nobody.
        var expired = stored
        expired.leaseDurationSeconds = 60
        expired.renewTime = RFC3339.microTime(Date().addingTimeInterval(-3600))
        _ = try await lab.client.update(expired.object)
        let taken = try await lab.renew(["-n", namespace, "--within", "50000h", "-o", "json"])
        #expect(taken.status == 0, "\(taken.stderr)")
        #expect(try Self.report(taken).items.first?.outcome == "renewed")
        #expect(try await lab.secret("leased-tls", namespace).data["tls.crt"] != before.data["tls.crt"])
        #expect(try await lab.client.getIfPresent(.leases, name: "kubectl-certs.leased-tls", namespace: namespace) == nil, "released after the renewal")
    }
}

/// Shards and --dry-run on Secrets made as `issue` leaves them (distinct certificates from a
/// test CA): nothing is ordered, so no CA is needed.
@Suite(.lab) struct RenewShardTests {
    @Test func twoShardsSplitTheManagedSecretsWithoutOverlap_AgainstKube() async throws {
        let lab = try IssueLab()
        let namespace = try await lab.namespace()
        let pki = try TestPKI()
        var all: Set<String> = []
        for index in 0..<10 {
            let name = "shard-\(index)-\(IssueLab.label()).example.test"
            let issued = try pki.server("s\(index)", dnsNames: [name])
            var secret = Secret(name: "shard-\(index)-tls", namespace: namespace)
            secret.type = Secret.tlsType
            secret.data = ["tls.crt": issued.certificatePEM, "tls.key": issued.keyPEM]
            secret.annotations = ["kubectl-certs.io/managed": "true", "kubectl-certs.io/domains": name, "kubectl-certs.io/dns-provider": "rfc2136"]
            _ = try await lab.client.create(secret.object)
            all.insert(secret.name)
        }
        // A TLS Secret kubectl-certs does not manage is never a candidate.
        var foreign = Secret(name: "foreign-tls", namespace: namespace)
        foreign.type = Secret.tlsType
        foreign.data = ["tls.crt": Data(), "tls.key": Data()]
        _ = try await lab.client.create(foreign.object)

        var seen: [Set<String>] = []
        for index in 0..<2 {
            let result = try await lab.renew(["-n", namespace, "--dry-run", "--within", "72h", "--shard", "\(index)/2", "-o", "json"])
            #expect(result.status == 0, "\(result.stderr)")
            let items = try RenewCommandTests.report(result).items
            #expect(items.allSatisfy { $0.outcome == "due" })
            seen.append(Set(items.map(\.secret)))
        }
        #expect(seen[0].isDisjoint(with: seen[1]))
        #expect(seen[0].union(seen[1]) == all)
        // The Indexed Job's way gives the same split.
        let indexed = try await lab.renew(["-n", namespace, "--dry-run", "--within", "72h", "--shards", "2", "-o", "json"], environment: ["JOB_COMPLETION_INDEX": "1"])
        #expect(Set(try RenewCommandTests.report(indexed).items.map(\.secret)) == seen[1])
        // --dry-run writes nothing.
        #expect(try await lab.client.list(.leases, namespace: namespace).isEmpty)
    }
}

extension Array {
    func asyncMap<T>(_ transform: (Element) async throws -> T) async rethrows -> [T] {
        var results: [T] = []
        for element in self { results.append(try await transform(element)) }
        return results
    }
}
