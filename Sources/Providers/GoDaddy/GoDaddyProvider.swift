public import DNS01
internal import CertCore
internal import Foundation

/// GoDaddy's Domains API v1. Its records have no ids: a PUT replaces every TXT record of one
/// name, so adding or removing one value is a read-merge-write of that name's set, serialized
/// in this process by `RecordSetLock` and read back afterwards (the API has no precondition, so
/// a write another client made in between shows up there and the merge is done again).
public struct GoDaddyProvider: DNSProviderAdapter {
    public static let code = "godaddy"
    /// The API refuses TXT records with a shorter TTL.
    static let minimumTTL = 600
    /// How many times a merge is redone when the read-back shows another writer's set.
    static let attempts = 3
    var api: ProviderAPIClient

    public init(settings: inout ProviderSettings) throws(ProviderError) {
        let key = settings.required("GODADDY_API_KEY")
        let secret = settings.required("GODADDY_API_SECRET")
        let base = settings.parsed("GODADDY_BASE_URL", expected: "an https URL") { text in URL(string: text)?.host != nil ? text : nil } ?? "https://api.godaddy.com"
        try settings.validate()
        guard let key, let secret else { throw ProviderError(.configuration, provider: Self.code, "GODADDY_API_KEY and GODADDY_API_SECRET are needed") }
        api = ProviderAPIClient(settings: settings, baseURL: base, headers: ["Authorization": "sso-key \(key):\(secret)"])
    }

    public func present(_ record: ChallengeRecord) async throws {
        let doing = "adding TXT \"\(record.value)\" at \(record.fqdn) in zone \(record.zone)"
        try await change(record, doing: doing) { set in
            guard !set.contains(where: { $0.data == record.value }) else { return nil }
            return set + [Entry(data: record.value, ttl: max(record.ttl, Self.minimumTTL))]
        }
    }

    public func cleanUp(_ record: ChallengeRecord) async throws {
        let doing = "deleting TXT \"\(record.value)\" at \(record.fqdn) in zone \(record.zone)"
        try await change(record, doing: doing) { set in
            guard set.contains(where: { $0.data == record.value }) else { return nil }
            return set.filter { $0.data != record.value }
        }
    }

    struct Entry: Equatable {
        var data: String
        var ttl: Int
    }

    /// Reads the name's TXT set, writes `merge(set)` when it is not nil (an empty set deletes
    /// the name's TXT records: the API refuses an empty PUT) and reads again until the set
    /// holds what was written.
    private func change(_ record: ChallengeRecord, doing: String, merge: @escaping @Sendable ([Entry]) -> [Entry]?) async throws {
        let (domain, name) = try Self.split(record, doing: doing)
        let path = "/v1/domains/\(domain)/records/TXT/\(name)"
        try await RecordSetLock.run("\(Self.code) \(api.baseURL) \(record.fqdn.lowercased())") {
            for _ in 0..<Self.attempts {
                let current = try await read(path, doing: doing)
                guard let wanted = merge(current) else { return }
                if wanted.isEmpty {
                    try await api.send("DELETE", path, accept: [404], doing: doing)
                } else {
                    let body = JSONValue.array(wanted.map { ["data": .string($0.data), "ttl": .number(Double($0.ttl))] })
                    try await api.send("PUT", path, json: body, doing: doing)
                }
                if merge(try await read(path, doing: doing)) == nil { return }
            }
            throw ProviderError(.rejected, provider: Self.code, "\(doing): another client kept replacing the TXT records of \(name); try again")
        }
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

    private func read(_ path: String, doing: String) async throws -> [Entry] {
        let found = try await api.json("GET", path, query: [("limit", "500")], doing: doing)
        return (found.arrayValue ?? []).compactMap { item in
            guard let data = item["data"]?.stringValue, !data.isEmpty else { return nil }
            return Entry(data: data, ttl: item["ttl"]?.intValue ?? Self.minimumTTL)
        }
    }
}
