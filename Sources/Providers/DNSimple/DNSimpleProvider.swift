public import DNS01
internal import CertCore
internal import Foundation

/// DNSimple's API v2 with an account token: the account id comes from `whoami`, each TXT value
/// is its own record, created with a POST and removed by deleting the records (by id) that hold
/// exactly that value.
public struct DNSimpleProvider: DNSProviderAdapter {
    public static let code = "dnsimple"
    var api: ProviderAPIClient
    /// The token's account id and the zones found, looked up once per run.
    private let known = LookupCache()

    public init(settings: inout ProviderSettings) throws(ProviderError) {
        let token = settings.required("DNSIMPLE_OAUTH_TOKEN")
        // lego's DNSIMPLE_BASE_URL is the host (https://api.dnsimple.com); the paths carry /v2.
        let base = settings.parsed("DNSIMPLE_BASE_URL", expected: "an https URL") { text in URL(string: text)?.host != nil ? text : nil } ?? "https://api.dnsimple.com"
        try settings.validate()
        guard let token else { throw ProviderError(.configuration, provider: Self.code, "DNSIMPLE_OAUTH_TOKEN is needed") }
        api = ProviderAPIClient(settings: settings, baseURL: base, headers: ["Authorization": "Bearer \(token)"])
    }

    public func present(_ record: ChallengeRecord) async throws {
        let doing = "adding TXT \"\(record.value)\" at \(record.fqdn) in zone \(record.zone)"
        let zone = try await zonePath(record, doing: doing)
        let name = try Self.name(record, doing: doing)
        guard try await ids(of: record, zone: zone, name: name, doing: doing).isEmpty else { return }
        try await api.send("POST", "\(zone)/records", json: ["name": .string(name), "type": "TXT", "content": .string(record.value), "ttl": .number(Double(max(record.ttl, 60)))], doing: doing)
    }

    public func cleanUp(_ record: ChallengeRecord) async throws {
        let doing = "deleting TXT \"\(record.value)\" at \(record.fqdn) in zone \(record.zone)"
        let zone = try await zonePath(record, doing: doing)
        let name = try Self.name(record, doing: doing)
        for id in try await ids(of: record, zone: zone, name: name, doing: doing) {
            try await api.send("DELETE", "\(zone)/records/\(id)", accept: [404], doing: doing)
        }
    }

    /// The ids of the TXT records at `name` holding exactly the record's value, every page read.
    private func ids(of record: ChallengeRecord, zone: String, name: String, doing: String) async throws -> [String] {
        var ids: [String] = [], page = 1
        while true {
            let found = try await api.json("GET", "\(zone)/records", query: [("name", name), ("type", "TXT"), ("page", String(page)), ("per_page", "100")], doing: doing)
            for item in found["data"]?.arrayValue ?? [] where item["content"]?.stringValue.map(Self.unquoted) == record.value {
                if let id = item["id"]?.intValue { ids.append(String(id)) }
            }
            guard let pages = found["pagination"]?["total_pages"]?.intValue, page < pages else { return ids }
            page += 1
        }
    }

    /// `/v2/{account}/zones/{zone}`, after checking the token is an account token and the zone
    /// is in its account.
    private func zonePath(_ record: ChallengeRecord, doing: String) async throws -> String {
        let zone = String(DNSName.normalized(record.zone).dropLast())
        let account: String
        if let id = known.get("") {
            account = id
        } else {
            let who = try await api.json("GET", "/v2/whoami", doing: doing)
            guard let id = who["data"]?["account"]?["id"]?.intValue else {
                throw ProviderError(.credentialsRefused, provider: Self.code, "\(doing): DNSIMPLE_OAUTH_TOKEN is a user token; DNSimple's DNS calls need an account token (Account → Automation → API tokens)")
            }
            account = String(id)
            known.set("", account)
        }
        let path = "/v2/\(account)/zones/\(zone)"
        if known.get(zone) == nil {
            try await api.send("GET", path, doing: doing)
            known.set(zone, path)
        }
        return path
    }

    /// The record's name relative to its zone ("" at the apex).
    static func name(_ record: ChallengeRecord, doing: String) throws(ProviderError) -> String {
        let zone = DNSName.normalized(record.zone), fqdn = DNSName.normalized(record.fqdn)
        if fqdn == zone { return "" }
        guard fqdn.hasSuffix("." + zone) else { throw ProviderError(.rejected, provider: code, "\(doing): \(record.fqdn) is not inside zone \(record.zone)") }
        return String(fqdn.dropLast(zone.count + 1))
    }

    static func unquoted(_ content: String) -> String {
        content.count >= 2 && content.hasPrefix("\"") && content.hasSuffix("\"") ? String(content.dropFirst().dropLast()) : content
    }
}
