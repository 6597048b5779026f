import DNS01
import TestSupport

/// A provider for DNS01's own tests: RFC 2136 through `DNSUpdateClient`.
struct UpdateClientProvider: DNSProvider {
    var lab: LabDNS
    var code: String { "test-rfc2136" }
    func present(_ record: ChallengeRecord) async throws {
        try await lab.updater(for: record.zone).addTXT(name: record.fqdn, value: record.value, ttl: record.ttl, zone: record.zone)
    }
    func cleanUp(_ record: ChallengeRecord) async throws {
        try await lab.updater(for: record.zone).deleteTXT(name: record.fqdn, value: record.value, zone: record.zone)
    }
}
