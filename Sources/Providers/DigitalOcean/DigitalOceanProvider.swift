public import DNS01
internal import CertCore
internal import Foundation

/// DigitalOcean's API v2: each TXT value is a separate domain record, so adding one value is a
/// POST and removing it is a DELETE of the record holding exactly that value. The domain is the
/// zone, named in the path; no zone id to look up.
public struct DigitalOceanProvider: DNSProviderAdapter {
    public static let code = "digitalocean"
    var api: ProviderAPIClient

    public init(settings: inout ProviderSettings) throws(ProviderError) {
        let token = settings.required("DO_AUTH_TOKEN")
        // lego's DO_API_URL, or DO_BASE_URL as every adapter here names its base URL.
        let base = Self.url(&settings, "DO_BASE_URL") ?? Self.url(&settings, "DO_API_URL") ?? "https://api.digitalocean.com"
        try settings.validate()
        guard let token else { throw ProviderError(.configuration, provider: Self.code, "DO_AUTH_TOKEN is needed") }
        api = ProviderAPIClient(settings: settings, baseURL: base, headers: ["Authorization": "Bearer \(token)"])
    }

    static func url(_ settings: inout ProviderSettings, _ name: String) -> String? {
        settings.parsed(name, expected: "an https URL") { text in URL(string: text)?.host != nil ? text : nil }
    }

    public func present(_ record: ChallengeRecord) async throws {
        let doing = "adding TXT \"\(record.value)\" at \(record.fqdn) in zone \(record.zone)"
        let domain = Self.bare(record.zone)
        // Present is idempotent: a value already there (a retried run) is not added twice.
        guard try await records(holding: record, doing: doing).isEmpty else { return }
        let body: JSONValue = ["type": "TXT", "name": .string(Self.relative(record.fqdn, in: domain)), "data": .string(record.value), "ttl": .number(Double(max(record.ttl, 30)))]
        try await api.send("POST", "/v2/domains/\(domain)/records", json: body, doing: doing)
    }

    public func cleanUp(_ record: ChallengeRecord) async throws {
        let doing = "deleting TXT \"\(record.value)\" at \(record.fqdn) in zone \(record.zone)"
        let domain = Self.bare(record.zone)
        for id in try await records(holding: record, doing: doing) {
            try await api.send("DELETE", "/v2/domains/\(domain)/records/\(id)", accept: [404], doing: doing)
        }
    }

    /// The ids of the TXT records at `record.fqdn` holding exactly its value, every page read.
    private func records(holding record: ChallengeRecord, doing: String) async throws -> [String] {
        let domain = Self.bare(record.zone)
        var ids: [String] = []
        var page = "1"
        for _ in 0..<1000 {
            let found = try await api.json("GET", "/v2/domains/\(domain)/records", query: [("type", "TXT"), ("name", Self.bare(record.fqdn)), ("page", page), ("per_page", "200")], doing: doing)
            for item in found["domain_records"]?.arrayValue ?? [] where item["data"]?.stringValue == record.value {
                if let id = item["id"]?.numberValue { ids.append(String(Int(id))) }
            }
            guard let next = found["links"]?["pages"]?["next"]?.stringValue else { return ids }
            guard let number = URLComponents(string: next)?.queryItems?.first(where: { $0.name == "page" })?.value, number != page else {
                throw ProviderError(.rejected, provider: Self.code, "\(doing): the API's next page link has no new page number: \(next)")
            }
            page = number
        }
        throw ProviderError(.rejected, provider: Self.code, "\(doing): the API's record list did not end after 1000 pages")
    }

    static func bare(_ name: String) -> String {
        (name.hasSuffix(".") ? String(name.dropLast()) : name).lowercased()
    }

    /// The record's name as DigitalOcean takes it: relative to the domain, "@" for the apex.
    static func relative(_ fqdn: String, in domain: String) -> String {
        let name = bare(fqdn)
        return name == domain ? "@" : String(name.dropLast(domain.count + 1))
    }
}
