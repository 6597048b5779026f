public import DNS01
internal import CertCore
internal import Foundation

/// deSEC's API v1: the TXT values at one name form one RRset that the API replaces whole. Adding
/// or removing one value is read-merge-write under `RecordSetLock`, then read again: wildcard
/// and apex present at one name at once, and deSEC offers no precondition (no ETag or version)
/// against another process writing the same RRset between our read and our write, so the
/// read-back decides, and a lost value is written again.
public struct DeSECProvider: DNSProviderAdapter {
    public static let code = "desec"
    var api: ProviderAPIClient
    private let minimumTTLs = LookupCache()
    /// How many times a write another writer undid is redone.
    static let attempts = 5

    public init(settings: inout ProviderSettings) throws(ProviderError) {
        let token = settings.required("DESEC_TOKEN")
        let base = settings.parsed("DESEC_BASE_URL", expected: "an https URL") { text in URL(string: text)?.host != nil ? text : nil } ?? "https://desec.io/api/v1"
        try settings.validate()
        guard let token else { throw ProviderError(.configuration, provider: Self.code, "DESEC_TOKEN is needed") }
        api = ProviderAPIClient(settings: settings, baseURL: base, headers: ["Authorization": "Token \(token)"])
    }

    public func present(_ record: ChallengeRecord) async throws {
        let doing = "adding TXT \"\(record.value)\" at \(record.fqdn) in zone \(record.zone)"
        try await change(record, adding: true, doing: doing)
    }

    public func cleanUp(_ record: ChallengeRecord) async throws {
        let doing = "deleting TXT \"\(record.value)\" at \(record.fqdn) in zone \(record.zone)"
        try await change(record, adding: false, doing: doing)
    }

    /// Adds or removes `record.value` in the TXT RRset at `record.fqdn`, until a read-back shows it done.
    private func change(_ record: ChallengeRecord, adding: Bool, doing: String) async throws {
        let domain = Self.bare(record.zone)
        let ttl = max(record.ttl, try await minimumTTL(domain, doing: doing))
        let subname = Self.subname(record.fqdn, in: domain)
        let path = "/domains/\(domain)/rrsets/\(subname.isEmpty ? "@" : subname)/TXT/"
        let content = Self.quoted(record.value)
        try await RecordSetLock.run("\(Self.code) \(api.baseURL) \(Self.bare(record.fqdn))") {
            for _ in 0..<Self.attempts {
                let current = try await read(path, doing: doing)
                if (current?.contains(content) ?? false) == adding { return }
                if adding, current == nil {
                    // No RRset yet: create it; a 400 says another writer created it first, so read again.
                    let body: JSONValue = ["subname": .string(subname), "type": "TXT", "ttl": .number(Double(ttl)), "records": [.string(content)]]
                    let response = try await api.send("POST", "/domains/\(domain)/rrsets/", json: body, accept: [400], doing: doing)
                    if response.status == 400, !ProviderAPIClient.message(in: response).contains("exists") {
                        throw ProviderError(.rejected, provider: Self.code, "\(doing): the API answered 400: \(ProviderAPIClient.message(in: response))")
                    }
                } else if let current {
                    let records = adding ? current + [content] : current.filter { $0 != content }
                    // The whole RRset, merged; an empty one is deleted (204). 404: deleted meanwhile, read again.
                    let body: JSONValue = ["ttl": .number(Double(ttl)), "records": .array(records.map { .string($0) })]
                    try await api.send("PATCH", path, json: body, accept: [404], doing: doing)
                }
            }
            // The read-back after the last write.
            if (try await read(path, doing: doing)?.contains(content) ?? false) != adding {
                throw ProviderError(.rejected, provider: Self.code, "\(doing): another writer kept replacing the RRset; the change did not hold after \(Self.attempts) writes")
            }
        }
    }

    /// The RRset's contents as deSEC shows them (quoted), or nil when there is none.
    private func read(_ path: String, doing: String) async throws -> [String]? {
        let response = try await api.send("GET", path, accept: [404], doing: doing)
        guard response.status != 404 else { return nil }
        guard let json = try? JSONValue.decode(response.body) else {
            throw ProviderError(.rejected, provider: Self.code, "\(doing): the API answered with a body that is not JSON: \(ProviderAPIClient.start(of: response.text))")
        }
        return (json["records"]?.arrayValue ?? []).compactMap(\.stringValue)
    }

    /// The domain's minimum TTL (deSEC refuses a lower one), read once per run; the look-up also
    /// says whether the token's account holds the zone at all.
    private func minimumTTL(_ domain: String, doing: String) async throws -> Int {
        if let known = minimumTTLs.get(domain).flatMap({ Int($0) }) { return known }
        let response = try await api.send("GET", "/domains/\(domain)/", accept: [404], doing: doing)
        guard response.status != 404 else {
            throw ProviderError(.rejected, provider: Self.code, "\(doing): the account has no domain named \(domain) (check the token's account)")
        }
        let minimum = (try? JSONValue.decode(response.body))?["minimum_ttl"]?.numberValue.map { Int($0) } ?? 3600
        minimumTTLs.set(domain, String(minimum))
        return minimum
    }

    static func bare(_ name: String) -> String {
        (name.hasSuffix(".") ? String(name.dropLast()) : name).lowercased()
    }

    /// The name relative to the domain, empty for the domain itself.
    static func subname(_ fqdn: String, in domain: String) -> String {
        let name = bare(fqdn)
        return name == domain ? "" : String(name.dropLast(domain.count + 1))
    }

    /// TXT content in presentation format, as deSEC takes and shows it.
    static func quoted(_ value: String) -> String {
        "\"\(value)\""
    }
}
