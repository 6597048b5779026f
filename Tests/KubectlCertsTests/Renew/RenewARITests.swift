import CertCore
import Foundation
import TestSupport
import Testing

/// Renewal by the CA's window (RFC 9773) through the ARI proxy in front of the lab's Pebble
/// (lab/ari-proxy), which answers each certificate's window as the test sets it and records
/// every order with its `replaces`.
@Suite(.lab) struct RenewARITests {
    func issue(_ lab: IssueLab, through proxy: ARIProxyLab, _ arguments: [String]) async throws -> Subprocess.Result {
        try await Subprocess.run("kubectl", ["certs", "issue"] + arguments + ["--server", proxy.directoryURL] + lab.renewFlags, environment: lab.environment)
    }

    @Test func aFutureWindowWaitsAndAPastOneRenewsNowReplacingTheCertificate_AgainstPebbleAndKube() async throws {
        let lab = try IssueLab()
        let proxy = try await ARIProxyLab(window: .future)
        let namespace = try await lab.namespace()
        let name = "\(IssueLab.label()).\(lab.zone)"
        let issued = try await issue(lab, through: proxy, ["-d", name, "--secret", "ari-tls", "-n", namespace, "--dns", "rfc2136"])
        #expect(issued.status == 0, "\(issued.stderr)")
        let old = try RenewCommandTests.leaf(try await lab.secret("ari-tls", namespace))

        // The window is days away: not due, even in the last third of a lifetime it does not look at.
        let waiting = try await lab.renew(["-n", namespace, "-o", "json"])
        #expect(waiting.status == 0, "\(waiting.stderr)")
        let item = try #require(try RenewCommandTests.report(waiting).items.first)
        #expect(item.outcome == "notDue")
        #expect(item.reason.contains("renewal window"))
        let due = try #require(item.dueAt.flatMap { ISO8601DateFormatter().date(from: $0) })
        #expect(due > Date().addingTimeInterval(4 * 86400) && due < Date().addingTimeInterval(8 * 86400))
        #expect(try await proxy.orders().count == 1, "no order while not due")

        // The CA moves the window into the past; the window kept on the Secret is dropped, as
        // if its Retry-After had passed (theCAsRetryAfterIsHonouredAcrossRuns covers that).
        try await proxy.setWindow(.past)
        var kept = try await lab.secret("ari-tls", namespace)
        #expect(kept.annotations.removeValue(forKey: "kubectl-certs.io/ari") != nil)
        _ = try await lab.client.update(kept.object)
        let renewed = try await lab.renew(["-n", namespace, "-o", "json"])
        #expect(renewed.status == 0, "\(renewed.stderr)")
        #expect(try RenewCommandTests.report(renewed).items.first?.outcome == "renewed")
        let orders = try await proxy.orders()
        #expect(orders.count == 2)
        #expect(orders.last == ARIProxyLab.Order(names: [name], replaces: try ACMEClient.certificateIdentifier(old)))
        #expect(try RenewCommandTests.leaf(try await lab.secret("ari-tls", namespace)).serialNumber != old.serialNumber)
    }

    @Test func aReplacesTheCARefusesFallsBackToAPlainOrder_AgainstPebbleAndKube() async throws {
        let lab = try IssueLab()
        let proxy = try await ARIProxyLab(window: .past)
        let namespace = try await lab.namespace()
        let issued = try await issue(lab, through: proxy, ["-d", "\(IssueLab.label()).\(lab.zone)", "--secret", "ours-tls", "-n", namespace, "--dns", "rfc2136"])
        #expect(issued.status == 0, "\(issued.stderr)")
        let ours = try await lab.secret("ours-tls", namespace)

        // A certificate of another CA in a Secret whose annotations say this CA and account
        // issued it (copied by hand, say): the CA refuses to replace it.
        let name = "\(IssueLab.label()).\(lab.zone)"
        let pki = try TestPKI()
        let theirs = try pki.server("foreign", dnsNames: [name])
        var secret = Secret(name: "copied-tls", namespace: namespace)
        secret.type = Secret.tlsType
        secret.data = ["tls.crt": theirs.certificatePEM, "tls.key": theirs.keyPEM]
        secret.annotations = ours.annotations.filter { $0.key.hasPrefix("kubectl-certs.io/") }.merging(["kubectl-certs.io/domains": name]) { $1 }
        _ = try await lab.client.create(secret.object)
        let foreign = try RenewCommandTests.leaf(secret)

        let result = try await lab.renew(["secret/copied-tls", "-n", namespace, "-o", "json"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(try RenewCommandTests.report(result).items.first?.outcome == "renewed")
        let orders = try await proxy.orders().filter { $0.names == [name] }
        #expect(orders == [ARIProxyLab.Order(names: [name], replaces: try ACMEClient.certificateIdentifier(foreign), refused: true, problem: "malformed"),
                           ARIProxyLab.Order(names: [name])])
        #expect(try lab.verifyChain(try await lab.secret("copied-tls", namespace)))
    }
}

extension RenewARITests {
    @Test func theCAsRetryAfterIsHonouredAcrossRuns_AgainstPebbleAndKube() async throws {
        let lab = try IssueLab()
        let proxy = try await ARIProxyLab(window: .future)
        let namespace = try await lab.namespace()
        let issued = try await issue(lab, through: proxy, ["-d", "\(IssueLab.label()).\(lab.zone)", "--secret", "polite-tls", "-n", namespace, "--dns", "rfc2136"])
        #expect(issued.status == 0, "\(issued.stderr)")
        #expect(try RenewCommandTests.report(try await lab.renew(["-n", namespace, "-o", "json"])).items.first?.outcome == "notDue")
        // The window is kept on the Secret until the CA's Retry-After (6 hours from the proxy).
        let kept = try #require(try await lab.secret("polite-tls", namespace).annotations["kubectl-certs.io/ari"])
        let stored = try #require(try JSONSerialization.jsonObject(with: Data(kept.utf8)) as? [String: String])
        let checkAfter = try #require(stored["checkAfter"].flatMap { ISO8601DateFormatter().date(from: $0) })
        #expect(checkAfter > Date().addingTimeInterval(5 * 3600) && checkAfter < Date().addingTimeInterval(7 * 3600))

        // The CA changes its mind, but the next run does not ask before the time it was given.
        try await proxy.setWindow(.past)
        #expect(try RenewCommandTests.report(try await lab.renew(["-n", namespace, "-o", "json"])).items.first?.outcome == "notDue")
        #expect(try await proxy.orders().count == 1)

        // Once that time has passed, it asks again and renews.
        var secret = try await lab.secret("polite-tls", namespace)
        secret.annotations["kubectl-certs.io/ari"] = kept.replacingOccurrences(of: stored["checkAfter"]!, with: ISO8601DateFormatter().string(from: Date().addingTimeInterval(-60)))
        _ = try await lab.client.update(secret.object)
        #expect(try RenewCommandTests.report(try await lab.renew(["-n", namespace, "-o", "json"])).items.first?.outcome == "renewed")
    }
}

/// A CA's `rateLimited` answer: waited out when its Retry-After is short, reported when long.
@Suite(.lab) struct RenewRateLimitTests {
    @Test func aShortRateLimitIsWaitedOutAndALongOneReported_AgainstPebbleAndKube() async throws {
        let lab = try IssueLab()
        let proxy = try await ARIProxyLab(window: .past)
        let namespace = try await lab.namespace()
        let name = "\(IssueLab.label()).\(lab.zone)"
        let issued = try await RenewARITests().issue(lab, through: proxy, ["-d", name, "--secret", "limited-tls", "-n", namespace, "--dns", "rfc2136"])
        #expect(issued.status == 0, "\(issued.stderr)")
        let before = try await lab.secret("limited-tls", namespace)

        try await proxy.rateLimit(orders: 1, retryAfterSeconds: 2)
        let waited = try await lab.renew(["-n", namespace, "-o", "json"])
        #expect(waited.status == 0, "\(waited.stderr)")
        #expect(waited.stderr.contains("the CA's rate limit asks to wait 2 s"))
        #expect(try RenewCommandTests.report(waited).items.first?.outcome == "renewed")
        #expect(try await proxy.orders().filter { $0.names == [name] }.map(\.problem) == [nil, "rateLimited", nil])

        try await proxy.rateLimit(orders: 1, retryAfterSeconds: 3 * 3600)
        let reported = try await lab.renew(["-n", namespace, "-o", "json"])
        #expect(reported.status == 1)
        let item = try #require(try RenewCommandTests.report(reported).items.first)
        #expect(item.outcome == "failed")
        #expect(item.reason.contains("rate limit") && item.reason.contains("tried again after"), "\(item.reason)")
        #expect(try await lab.secret("limited-tls", namespace).data["tls.crt"] != before.data["tls.crt"], "the first renewal stays")
    }
}
