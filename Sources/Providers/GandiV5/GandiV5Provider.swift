public import DNS01
internal import CertCore
internal import Foundation

/// Gandi LiveDNS (API v5). A name's TXT records are one record set whose `rrset_values` a PUT
/// replaces whole, so adding or removing one value is a read-merge-write, serialized in this
/// process by `RecordSetLock` and read back afterwards (LiveDNS has no precondition, so a set
/// another client wrote in between shows up there and the merge is done again).
public struct GandiV5Provider: DNSProviderAdapter {
    public static let code = "gandiv5"
    /// LiveDNS refuses a shorter `rrset_ttl`.
    static let minimumTTL = 300
    /// How many times a merge is redone when the read-back shows another writer's set.
    static let attempts = 3
    var api: ProviderAPIClient

    public init(settings: inout ProviderSettings) throws(ProviderError) {
        let token = settings.optional("GANDIV5_PERSONAL_ACCESS_TOKEN")
        let key = settings.optional("GANDIV5_API_KEY")
        let base = settings.parsed("GANDIV5_BASE_URL", expected: "an https URL") { text in URL(string: text)?.host != nil ? text : nil } ?? "https://dns.api.gandi.net/api/v5"
        var headers: HTTPHeaders = [:]
        if let token {
            headers.set("Authorization", "Bearer \(token)")
        } else if let key {
            headers.set("X-Api-Key", key)
        } else {
            settings.missing("GANDIV5_PERSONAL_ACCESS_TOKEN (or the deprecated GANDIV5_API_KEY)")
        }
        try settings.validate()
        api = ProviderAPIClient(settings: settings, baseURL: base, headers: headers)
    }

    public func present(_ record: ChallengeRecord) async throws {
        let doing = "adding TXT \"\(record.value)\" at \(record.fqdn) in zone \(record.zone)"
        try await change(record, doing: doing) { set in
            guard !set.values.contains(where: { Self.unquoted($0) == record.value }) else { return nil }
            return RecordSet(ttl: set.values.isEmpty ? max(record.ttl, Self.minimumTTL) : set.ttl, values: set.values + [record.value])
        }
    }

    public func cleanUp(_ record: ChallengeRecord) async throws {
        let doing = "deleting TXT \"\(record.value)\" at \(record.fqdn) in zone \(record.zone)"
        try await change(record, doing: doing) { set in
            guard set.values.contains(where: { Self.unquoted($0) == record.value }) else { return nil }
            return RecordSet(ttl: set.ttl, values: set.values.filter { Self.unquoted($0) != record.value })
        }
    }

    /// One name's TXT set; `values` as LiveDNS answers them (quoted), new ones as given.
    struct RecordSet {
        var ttl: Int
        var values: [String]
    }

    /// Reads the name's TXT set, writes `merge(set)` when it is not nil (an empty set is
    /// deleted: LiveDNS refuses an empty `rrset_values`) and reads again until the set holds
    /// what was written.
    private func change(_ record: ChallengeRecord, doing: String, merge: @escaping @Sendable (RecordSet) -> RecordSet?) async throws {
        let (domain, name) = try Self.split(record, doing: doing)
        let path = "/domains/\(domain)/records/\(name)/TXT"
        try await RecordSetLock.run("\(Self.code) \(api.baseURL) \(DNSName.normalized(record.fqdn))") {
            for _ in 0..<Self.attempts {
                guard let wanted = merge(try await read(path, doing: doing)) else { return }
                if wanted.values.isEmpty {
                    try await api.send("DELETE", path, accept: [404], doing: doing)
                } else {
                    try await api.send("PUT", path, json: ["rrset_ttl": .number(Double(wanted.ttl)), "rrset_values": .array(wanted.values.map(JSONValue.string))], doing: doing)
                }
                if merge(try await read(path, doing: doing)) == nil { return }
            }
            throw ProviderError(.rejected, provider: Self.code, "\(doing): another client kept replacing the TXT records of \(name); try again")
        }
    }

    /// The set, or an empty one when the name has no TXT records (404).
    private func read(_ path: String, doing: String) async throws -> RecordSet {
        let response = try await api.send("GET", path, accept: [404], doing: doing)
        guard response.status != 404 else { return RecordSet(ttl: Self.minimumTTL, values: []) }
        guard let found = try? JSONValue.decode(response.body) else {
            throw ProviderError(.rejected, provider: Self.code, "\(doing): LiveDNS answered \(response.status) with a body that is not JSON")
        }
        return RecordSet(ttl: found["rrset_ttl"]?.intValue ?? Self.minimumTTL, values: found["rrset_values"]?.arrayValue?.compactMap(\.stringValue) ?? [])
    }

    /// `_acme-challenge.a.example.com.` in `example.com.` → (`example.com`, `_acme-challenge.a`);
    /// the apex is `@`.
    static func split(_ record: ChallengeRecord, doing: String) throws(ProviderError) -> (domain: String, name: String) {
        let zone = DNSName.normalized(record.zone), fqdn = DNSName.normalized(record.fqdn)
        let domain = String(zone.dropLast())
        if fqdn == zone { return (domain, "@") }
        guard fqdn.hasSuffix("." + zone) else { throw ProviderError(.rejected, provider: code, "\(doing): \(record.fqdn) is not inside zone \(record.zone)") }
        return (domain, String(fqdn.dropLast(zone.count + 1)))
    }

    static func unquoted(_ value: String) -> String {
        value.count >= 2 && value.hasPrefix("\"") && value.hasSuffix("\"") ? String(value.dropFirst().dropLast()) : value
    }
}
