import DNS01
import Providers
import Foundation
import TestSupport
import Testing

/// The behaviour every DNS provider adapter must show, run against a real server:
/// present → visible on every nameserver → a second value at the same name → both visible →
/// remove the first → the second stays → remove it → gone; two values presented at once (as
/// wildcard and apex are) through two adapters (as two processes would) → both survive;
/// cleanup twice is harmless; a wrong credential → a clear error that is a
/// `credentialsRefused` ProviderError; the server down → a clear `unreachable` error.
///
/// `makeProvider` builds the adapter with good credentials, `makeWrongProvider` with a wrong
/// one, `makeUnreachableProvider` one pointed at an address where nothing listens;
/// `nameservers` are the addresses of every authoritative nameserver of `zone`;
/// `isClearCredentialError` judges the wrong credential's error message.
///
/// `readValues`, when given, reads the TXT set at a name instead of asking `nameservers` (for
/// an API test server that serves no DNS, e.g. moto for Route 53): the set is then read back
/// through the API.
/// The optional parameters fit providers whose service differs: `value` turns the suite's
/// value texts into values the service accepts; `fqdn` is the name to publish at (default
/// `_acme-challenge.<random label>.<zone>`); `cleanupRemoves: false` for a service that cannot
/// delete (cleanup must then leave both values served); `wrongCredentialCode` and
/// `unreachableCode` for a provider that cannot tell those cases apart (a hook program's exit).
func runProviderConformance(
    makeProvider: () throws -> any DNSProvider,
    makeWrongProvider: () throws -> any DNSProvider,
    makeUnreachableProvider: () throws -> any DNSProvider,
    zone: String,
    nameservers: [DNSServer],
    isClearCredentialError: (String) -> Bool,
    timeout: Duration = .seconds(30),
    readValues: (@Sendable (_ fqdn: String) async throws -> Set<String>)? = nil,
    value: (String) -> String = { $0 },
    fqdn chosenName: String? = nil,
    cleanupRemoves: Bool = true,
    wrongCredentialCode: ProviderError.Code = .credentialsRefused,
    unreachableCode: ProviderError.Code = .unreachable
) async throws {
    let provider = try makeProvider()
    let label = uniqueLabel("conf")
    let provider2 = try makeProvider()
    let fqdn = DNSName.normalized(chosenName ?? "_acme-challenge.\(label).\(zone)")
    let first = ChallengeRecord(fqdn: fqdn, zone: zone, value: value("first-\(label)"), ttl: 60)
    let second = ChallengeRecord(fqdn: fqdn, zone: zone, value: value("second-\(label)"), ttl: 60)
    /// What stays served after cleanup removed `removed`.
    func remaining(_ all: Set<String>, removed: Set<String>) -> Set<String> {
        cleanupRemoves ? all.subtracting(removed) : all
    }
    let servers = nameservers.enumerated().map { Nameserver(name: "ns\($0.offset + 1).conformance.", addresses: [$0.element]) }
    let checker = PropagationChecker(policy: PropagationPolicy(timeout: timeout, backoff: Backoff(initial: .milliseconds(100), maximum: .milliseconds(500))))

    /// Waits until every server's TXT set at `fqdn` (or the API's, with `readValues`) is exactly `expected`.
    func expectEverywhere(_ expected: Set<String>, _ comment: Comment) async throws {
        var last: [String: Set<String>] = [:]
        var unanswered: [String: String] = [:]
        let deadline = ContinuousClock.now + timeout
        repeat {
            if let readValues {
                last = ["the API": try await readValues(fqdn)]
            } else {
                for server in nameservers {
                    // A query left unanswered is asked again, as the propagation checker does: a
                    // nameserver busy for a moment is not one that serves the wrong values.
                    do {
                        last["\(server)"] = Set(try await DNSResolver.direct(server).query(fqdn, .txt).txtValues(at: fqdn))
                        unanswered["\(server)"] = nil
                    } catch let error as DNSError where error.code == .timeout {
                        unanswered["\(server)"] = error.message
                    }
                }
            }
            if unanswered.isEmpty && last.values.allSatisfy({ $0 == expected }) { return }
            try await Task.sleep(for: .milliseconds(200))
        } while ContinuousClock.now < deadline
        let silent = unanswered.isEmpty ? "" : "; unanswered: \(unanswered.values.sorted())"
        Issue.record("\(comment): expected \(expected.sorted()) \(readValues == nil ? "on every nameserver" : "through the API"), last saw \(last.mapValues { $0.sorted() })\(silent)")
    }

    do {
        try await provider.present(first)
        if readValues == nil {
            try await checker.waitUntilVisible([RecordExpectation(fqdn: fqdn, value: first.value, nameservers: servers)])
        }
        try await expectEverywhere([first.value], "after presenting the first value")

        try await provider.present(second)
        try await expectEverywhere([first.value, second.value], "after presenting a second value at the same name")

        try await provider.cleanUp(first)
        try await expectEverywhere(remaining([first.value, second.value], removed: [first.value]), "after removing the first value")

        try await provider.cleanUp(second)
        try await expectEverywhere(remaining([first.value, second.value], removed: [first.value, second.value]), "after removing the second value")
        try await provider.cleanUp(second)

        // Wildcard and apex: two values at one name presented at the same moment, here through
        // two adapters as two processes would.
        async let presentFirst: Void = provider.present(first)
        async let presentSecond: Void = provider2.present(second)
        _ = try await (presentFirst, presentSecond)
        try await expectEverywhere([first.value, second.value], "after presenting two values at once")
        async let removeFirst: Void = provider.cleanUp(first)
        async let removeSecond: Void = provider2.cleanUp(second)
        _ = try await (removeFirst, removeSecond)
        try await expectEverywhere(remaining([first.value, second.value], removed: [first.value, second.value]), "after removing both at once")
    } catch {
        try? await provider.cleanUp(first)
        try? await provider.cleanUp(second)
        throw error
    }

    let wrong = try makeWrongProvider()
    let probe = ChallengeRecord(fqdn: fqdn, zone: zone, value: value("wrong-\(label)"), ttl: 60)
    do {
        try await wrong.present(probe)
        try? await provider.cleanUp(probe)
        Issue.record("a provider with a wrong credential published a record")
    } catch {
        #expect(isClearCredentialError("\(error)"), "unclear credential error: \(error)")
        #expect((error as? ProviderError)?.code == wrongCredentialCode, "a refused credential must be \(wrongCredentialCode): \(error)")
    }

    let unreachable = try makeUnreachableProvider()
    do {
        try await unreachable.present(probe)
        Issue.record("a provider pointed at a dead address published a record")
    } catch {
        let message = "\(error)"
        #expect((error as? ProviderError)?.code == unreachableCode, "the server down must be \(unreachableCode): \(error)")
        #expect(message.contains(probe.fqdn), "the error does not say what was being done: \(message)")
    }
}

/// The adapter for `code`, built through the registry as the CLI builds it, from `variables`
/// given as this process's environment.
func configuredProvider(_ variables: [String: String], code: String = "rfc2136") throws -> any DNSProvider {
    try ConfiguredProvider(code: code, environment: ProviderEnvironment(local: variables)).provider
}
