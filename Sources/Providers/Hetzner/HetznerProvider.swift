public import DNS01
internal import CertCore
internal import Foundation

/// Hetzner DNS, through either of its APIs, as lego's hetzner provider:
/// - the DNS Console API (dns.hetzner.com/api/v1) with `HETZNER_API_KEY`: each TXT value is a
///   separate record, so adding one value is a POST and removing it is a DELETE of the record
///   holding exactly that value; records live under a zone id, looked up by the zone's name;
/// - the Hetzner Cloud API (api.hetzner.cloud/v1) with `HETZNER_API_TOKEN`: values are added to
///   and removed from the RRset by its own actions (HetznerProvider+Cloud.swift).
public struct HetznerProvider: DNSProviderAdapter {
    public static let code = "hetzner"
    var api: ProviderAPIClient
    /// Whether `api` is the Cloud API (else the DNS Console API).
    let cloud: Bool
    private let zoneIDs = LookupCache()

    public init(settings: inout ProviderSettings) throws(ProviderError) {
        let cloudToken = settings.optional("HETZNER_API_TOKEN")
        let key = settings.optional("HETZNER_API_KEY")
        if cloudToken == nil, key == nil {
            settings.missing("HETZNER_API_TOKEN (Hetzner Cloud API) or HETZNER_API_KEY (DNS Console API)")
        }
        if cloudToken != nil, key != nil {
            settings.problem("both HETZNER_API_TOKEN (Hetzner Cloud API) and HETZNER_API_KEY (DNS Console API) are set: give the one for the API that holds the zone")
        }
        let base = settings.parsed("HETZNER_BASE_URL", expected: "an https URL") { text in URL(string: text)?.host != nil ? text : nil }
        try settings.validate()
        if let cloudToken {
            cloud = true
            api = ProviderAPIClient(settings: settings, baseURL: base ?? "https://api.hetzner.cloud/v1", headers: ["Authorization": "Bearer \(cloudToken)"])
        } else if let key {
            cloud = false
            api = ProviderAPIClient(settings: settings, baseURL: base ?? "https://dns.hetzner.com/api/v1", headers: ["Auth-API-Token": key])
        } else {
            throw ProviderError(.configuration, provider: Self.code, "HETZNER_API_KEY or HETZNER_API_TOKEN is needed")
        }
    }

    public func present(_ record: ChallengeRecord) async throws {
        let doing = "adding TXT \"\(record.value)\" at \(record.fqdn) in zone \(record.zone)"
        if cloud { return try await changeCloudRRset(record, adding: true, doing: doing) }
        let zoneID = try await zoneID(for: record.zone, doing: doing)
        // Present is idempotent: a value already there (a retried run) is not added twice.
        guard try await records(holding: record, zoneID: zoneID, doing: doing).isEmpty else { return }
        let body: JSONValue = ["type": "TXT", "name": .string(Self.relative(record.fqdn, in: record.zone)), "value": .string(record.value),
                               "ttl": .number(Double(max(record.ttl, 60))), "zone_id": .string(zoneID)]
        try await api.send("POST", "/records", json: body, doing: doing)
    }

    public func cleanUp(_ record: ChallengeRecord) async throws {
        let doing = "deleting TXT \"\(record.value)\" at \(record.fqdn) in zone \(record.zone)"
        if cloud { return try await changeCloudRRset(record, adding: false, doing: doing) }
        let zoneID = try await zoneID(for: record.zone, doing: doing)
        for id in try await records(holding: record, zoneID: zoneID, doing: doing) {
            try await api.send("DELETE", "/records/\(id)", accept: [404], doing: doing)
        }
    }

    /// The ids of the zone's TXT records at `record.fqdn` holding exactly its value, every page read.
    private func records(holding record: ChallengeRecord, zoneID: String, doing: String) async throws -> [String] {
        let name = Self.relative(record.fqdn, in: record.zone)
        var ids: [String] = []
        try await eachPage("/records", query: [("zone_id", zoneID)], list: "records", doing: doing) { item in
            if item["type"]?.stringValue == "TXT", item["name"]?.stringValue?.lowercased() == name, Self.unquoted(item["value"]?.stringValue) == record.value,
               let id = item["id"]?.stringValue {
                ids.append(id)
            }
        }
        return ids
    }

    /// The zone's id, looked up by its exact name once per run.
    private func zoneID(for zone: String, doing: String) async throws -> String {
        let name = Self.bare(zone)
        if let known = zoneIDs.get(name) { return known }
        var found: String?
        // A name with no zone is a 404, which says the account has no such zone.
        try await eachPage("/zones", query: [("name", name)], list: "zones", accept404: true, doing: doing) { item in
            if item["name"]?.stringValue?.lowercased() == name { found = item["id"]?.stringValue }
        }
        guard let found else {
            throw ProviderError(.rejected, provider: Self.code, "\(doing): the account has no zone named \(name) (check the API token's account)")
        }
        zoneIDs.set(name, found)
        return found
    }

    /// Calls `body` with each item of `list` on every page of `path` (`meta.pagination`).
    private func eachPage(_ path: String, query: [(String, String)], list: String, accept404: Bool = false, doing: String, _ body: (JSONValue) -> Void) async throws {
        var page = 1
        while page <= 10_000 {
            let response = try await api.send("GET", path, query: query + [("page", String(page)), ("per_page", "100")], accept: accept404 ? [404] : [], doing: doing)
            if response.status == 404 { return }
            let json: JSONValue
            do { json = try JSONValue.decode(response.body) } catch {
                throw ProviderError(.rejected, provider: Self.code, "\(doing): the API answered with a body that is not JSON: \(ProviderAPIClient.start(of: response.text))")
            }
            (json[list]?.arrayValue ?? []).forEach(body)
            guard let last = json["meta"]?["pagination"]?["last_page"]?.numberValue, Double(page) < last else { return }
            page += 1
        }
        throw ProviderError(.rejected, provider: Self.code, "\(doing): the API's \(list) list did not end after 10000 pages")
    }

    static func bare(_ name: String) -> String {
        (name.hasSuffix(".") ? String(name.dropLast()) : name).lowercased()
    }

    /// The record's name as Hetzner takes it: relative to the zone, "@" for the apex.
    static func relative(_ fqdn: String, in zone: String) -> String {
        let name = bare(fqdn), zone = bare(zone)
        return name == zone ? "@" : String(name.dropLast(zone.count + 1))
    }

    static func unquoted(_ content: String?) -> String? {
        guard let content else { return nil }
        return content.count >= 2 && content.hasPrefix("\"") && content.hasSuffix("\"") ? String(content.dropFirst().dropLast()) : content
    }
}
