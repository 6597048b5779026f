public import DNS01
internal import CertCore
internal import Foundation

/// Linode's API v4: each TXT value is a separate domain record, so adding one value is a POST
/// and removing it is a DELETE of the record holding exactly that value. Records live under a
/// domain id, looked up by the zone's name with an X-Filter.
public struct LinodeProvider: DNSProviderAdapter {
    public static let code = "linode"
    var api: ProviderAPIClient
    private let domainIDs = LookupCache()

    public init(settings: inout ProviderSettings) throws(ProviderError) {
        let token = settings.required("LINODE_TOKEN")
        let base = settings.parsed("LINODE_BASE_URL", expected: "an https URL") { text in URL(string: text)?.host != nil ? text : nil } ?? "https://api.linode.com/v4"
        try settings.validate()
        guard let token else { throw ProviderError(.configuration, provider: Self.code, "LINODE_TOKEN is needed") }
        api = ProviderAPIClient(settings: settings, baseURL: base, headers: ["Authorization": "Bearer \(token)"])
    }

    public func present(_ record: ChallengeRecord) async throws {
        let doing = "adding TXT \"\(record.value)\" at \(record.fqdn) in zone \(record.zone)"
        let domainID = try await domainID(for: record.zone, doing: doing)
        // Present is idempotent: a value already there (a retried run) is not added twice.
        guard try await records(holding: record, domainID: domainID, doing: doing).isEmpty else { return }
        let body: JSONValue = ["type": "TXT", "name": .string(Self.relative(record.fqdn, in: record.zone)), "target": .string(record.value), "ttl_sec": .number(Double(max(record.ttl, 300)))]
        try await api.send("POST", "/domains/\(domainID)/records", json: body, doing: doing)
    }

    public func cleanUp(_ record: ChallengeRecord) async throws {
        let doing = "deleting TXT \"\(record.value)\" at \(record.fqdn) in zone \(record.zone)"
        let domainID = try await domainID(for: record.zone, doing: doing)
        for id in try await records(holding: record, domainID: domainID, doing: doing) {
            try await api.send("DELETE", "/domains/\(domainID)/records/\(id)", accept: [404], doing: doing)
        }
    }

    /// The ids of the domain's TXT records at `record.fqdn` holding exactly its value, every page read.
    private func records(holding record: ChallengeRecord, domainID: String, doing: String) async throws -> [String] {
        let name = Self.relative(record.fqdn, in: record.zone)
        var ids: [String] = []
        try await eachPage("/domains/\(domainID)/records", doing: doing) { item in
            if item["type"]?.stringValue == "TXT", item["name"]?.stringValue?.lowercased() == name, item["target"]?.stringValue == record.value,
               let id = item["id"]?.numberValue {
                ids.append(String(Int(id)))
            }
        }
        return ids
    }

    /// The domain's id, looked up by its exact name once per run.
    private func domainID(for zone: String, doing: String) async throws -> String {
        let name = Self.bare(zone)
        if let known = domainIDs.get(name) { return known }
        var found: String?
        let filter: JSONValue = ["domain": .string(name)]
        try await eachPage("/domains", headers: ["X-Filter": String(decoding: filter.encoded(), as: UTF8.self)], doing: doing) { item in
            if item["domain"]?.stringValue?.lowercased() == name, let id = item["id"]?.numberValue { found = String(Int(id)) }
        }
        guard let found else {
            throw ProviderError(.rejected, provider: Self.code, "\(doing): the account has no domain named \(name) (check the token's account and its domains scope)")
        }
        domainIDs.set(name, found)
        return found
    }

    /// Calls `body` with each item of `data` on every page of `path` (`page` of `pages`).
    private func eachPage(_ path: String, headers: HTTPHeaders = [:], doing: String, _ body: (JSONValue) -> Void) async throws {
        var page = 1
        while page <= 10_000 {
            let json = try await api.json("GET", path, query: [("page", String(page)), ("page_size", "500")], headers: headers, doing: doing)
            (json["data"]?.arrayValue ?? []).forEach(body)
            guard let pages = json["pages"]?.numberValue, Double(page) < pages else { return }
            page += 1
        }
        throw ProviderError(.rejected, provider: Self.code, "\(doing): the API's list \(path) did not end after 10000 pages")
    }

    static func bare(_ name: String) -> String {
        (name.hasSuffix(".") ? String(name.dropLast()) : name).lowercased()
    }

    /// The record's name as Linode takes it: relative to the domain, empty for the domain itself.
    static func relative(_ fqdn: String, in zone: String) -> String {
        let name = bare(fqdn), zone = bare(zone)
        return name == zone ? "" : String(name.dropLast(zone.count + 1))
    }
}
