public import DNS01
internal import CertCore
internal import Foundation

/// Vultr's API v2: each TXT value is a separate domain record, so adding one value is a POST
/// and removing it is a DELETE of the record holding exactly that value. The domain (the zone)
/// is named in the path; record lists are read with cursor pagination.
public struct VultrProvider: DNSProviderAdapter {
    public static let code = "vultr"
    var api: ProviderAPIClient

    public init(settings: inout ProviderSettings) throws(ProviderError) {
        let key = settings.required("VULTR_API_KEY")
        let base = settings.parsed("VULTR_BASE_URL", expected: "an https URL") { text in URL(string: text)?.host != nil ? text : nil } ?? "https://api.vultr.com/v2"
        try settings.validate()
        guard let key else { throw ProviderError(.configuration, provider: Self.code, "VULTR_API_KEY is needed") }
        api = ProviderAPIClient(settings: settings, baseURL: base, headers: ["Authorization": "Bearer \(key)"])
    }

    public func present(_ record: ChallengeRecord) async throws {
        let doing = "adding TXT \"\(record.value)\" at \(record.fqdn) in zone \(record.zone)"
        // Present is idempotent: a value already there (a retried run) is not added twice.
        guard try await records(holding: record, doing: doing).isEmpty else { return }
        // Vultr takes TXT data with its quotes, as its DNS console shows it.
        let body: JSONValue = ["type": "TXT", "name": .string(Self.relative(record.fqdn, in: record.zone)), "data": .string("\"\(record.value)\""), "ttl": .number(Double(record.ttl))]
        try await api.send("POST", "/domains/\(Self.bare(record.zone))/records", json: body, doing: doing)
    }

    public func cleanUp(_ record: ChallengeRecord) async throws {
        let doing = "deleting TXT \"\(record.value)\" at \(record.fqdn) in zone \(record.zone)"
        for id in try await records(holding: record, doing: doing) {
            try await api.send("DELETE", "/domains/\(Self.bare(record.zone))/records/\(id)", accept: [404], doing: doing)
        }
    }

    /// The ids of the TXT records at `record.fqdn` holding exactly its value, every page read by
    /// following `meta.links.next` as the cursor.
    private func records(holding record: ChallengeRecord, doing: String) async throws -> [String] {
        let name = Self.relative(record.fqdn, in: record.zone)
        var ids: [String] = []
        var cursor = ""
        for _ in 0..<10_000 {
            let query = [("per_page", "500")] + (cursor.isEmpty ? [] : [("cursor", cursor)])
            let found = try await api.json("GET", "/domains/\(Self.bare(record.zone))/records", query: query, doing: doing)
            for item in found["records"]?.arrayValue ?? [] where item["type"]?.stringValue == "TXT" && item["name"]?.stringValue?.lowercased() == name {
                if Self.unquoted(item["data"]?.stringValue) == record.value, let id = item["id"]?.stringValue { ids.append(id) }
            }
            let next = found["meta"]?["links"]?["next"]?.stringValue ?? ""
            guard !next.isEmpty else { return ids }
            guard next != cursor else {
                throw ProviderError(.rejected, provider: Self.code, "\(doing): the API handed back the same page cursor twice")
            }
            cursor = next
        }
        throw ProviderError(.rejected, provider: Self.code, "\(doing): the API's record list did not end after 10000 pages")
    }

    static func bare(_ name: String) -> String {
        (name.hasSuffix(".") ? String(name.dropLast()) : name).lowercased()
    }

    /// The record's name as Vultr takes it: relative to the domain, empty for the domain itself.
    static func relative(_ fqdn: String, in zone: String) -> String {
        let name = bare(fqdn), zone = bare(zone)
        return name == zone ? "" : String(name.dropLast(zone.count + 1))
    }

    static func unquoted(_ content: String?) -> String? {
        guard let content else { return nil }
        return content.count >= 2 && content.hasPrefix("\"") && content.hasSuffix("\"") ? String(content.dropFirst().dropLast()) : content
    }
}
