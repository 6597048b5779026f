public import DNS01
internal import CertCore
internal import Foundation

/// PowerDNS Authoritative through its HTTP API (`/api/v1/servers/<server>/zones/<zone>`).
///
/// The API replaces a whole RRset (`changetype: REPLACE`), so adding and removing one value
/// are read-merge-write: serialized per name within this process, and checked by reading
/// again afterwards — when another writer's change removed ours, the change is made again.
public struct PowerDNSProvider: DNSProviderAdapter {
    public static let code = "pdns"
    var api: ProviderAPIClient

    public init(settings: inout ProviderSettings) throws(ProviderError) {
        let url = settings.parsed("PDNS_API_URL", expected: "an http(s) URL such as http://127.0.0.1:8081", required: true) { text in
            URLComponents(string: text).flatMap { ["http", "https"].contains($0.scheme ?? "") && $0.host != nil ? text : nil }
        }
        let key = settings.required("PDNS_API_KEY")
        let server = settings.optional("PDNS_SERVER_NAME") ?? "localhost"
        try settings.validate()
        guard let url, let key else { throw ProviderError(.configuration, provider: Self.code, "PDNS_API_URL and PDNS_API_KEY are needed") }
        api = ProviderAPIClient(settings: settings, baseURL: url.trimmingCharacters(in: CharacterSet(charactersIn: "/")) + "/api/v1/servers/" + Self.escaped(server), headers: ["X-API-Key": key])
    }

    public func present(_ record: ChallengeRecord) async throws {
        try await change(record, keep: true)
    }

    public func cleanUp(_ record: ChallengeRecord) async throws {
        try await change(record, keep: false)
    }

    /// Makes the TXT set at the record's name hold (`keep`) or not hold its value, leaving every
    /// other value as it is.
    private func change(_ record: ChallengeRecord, keep: Bool) async throws {
        let doing = "\(keep ? "adding" : "deleting") TXT \"\(record.value)\" at \(record.fqdn) in zone \(record.zone)"
        try await RecordSetLock.run("\(Self.code) \(api.baseURL) \(record.fqdn)") {
            for _ in 0..<5 {
                let current = try await values(at: record, doing: doing)
                if current.contains(record.value) == keep { return }
                var wanted = current.filter { $0 != record.value }
                if keep { wanted.append(record.value) }
                try await replace(record, with: wanted, doing: doing)
                // Another writer may have replaced the set between our read and our write.
                if try await values(at: record, doing: doing).contains(record.value) == keep { return }
            }
            throw ProviderError(.rejected, provider: Self.code, "\(doing): another writer kept replacing the record set; try again")
        }
    }

    /// The TXT values at the record's name, unquoted.
    private func values(at record: ChallengeRecord, doing: String) async throws -> [String] {
        let zone = try await api.json("GET", "/zones/\(Self.escaped(record.zone))", doing: doing)
        let rrset = zone["rrsets"]?.arrayValue?.first { $0["name"]?.stringValue == record.fqdn && $0["type"]?.stringValue == "TXT" }
        return rrset?["records"]?.arrayValue?.compactMap { $0["content"]?.stringValue.map(TXTContent.unquoted) } ?? []
    }

    private func replace(_ record: ChallengeRecord, with values: [String], doing: String) async throws {
        var rrset: JSONValue = ["name": .string(record.fqdn), "type": "TXT"]
        if values.isEmpty {
            rrset["changetype"] = "DELETE"
        } else {
            rrset["changetype"] = "REPLACE"
            rrset["ttl"] = .number(Double(record.ttl))
            rrset["records"] = .array(values.map { ["content": .string("\"\($0)\""), "disabled": false] })
        }
        try await api.send("PATCH", "/zones/\(Self.escaped(record.zone))", json: ["rrsets": [rrset]], doing: doing)
    }

    /// A path segment: PowerDNS zone ids are zone names with the trailing dot.
    static func escaped(_ segment: String) -> String {
        segment.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed.subtracting(CharacterSet(charactersIn: "/"))) ?? segment
    }
}
