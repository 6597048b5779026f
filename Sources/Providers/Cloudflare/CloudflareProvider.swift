public import DNS01
public import CertCore
internal import Foundation

/// Cloudflare's API v4: TXT records are separate objects, so adding one value is a POST and
/// removing it is a DELETE of the record that holds exactly that value.
public struct CloudflareProvider: DNSProviderAdapter {
    public static let code = "cloudflare"
    /// Record calls (the DNS token, or the legacy email + global key).
    var records: ProviderAPIClient
    /// Zone look-ups (`CLOUDFLARE_ZONE_API_TOKEN` when given, else as `records`).
    var zones: ProviderAPIClient
    private let zoneIDs = LookupCache()

    public init(settings: inout ProviderSettings) throws(ProviderError) {
        let token = settings.optional("CLOUDFLARE_DNS_API_TOKEN") ?? settings.optional("CF_DNS_API_TOKEN")
        let zoneToken = settings.optional("CLOUDFLARE_ZONE_API_TOKEN") ?? settings.optional("CF_ZONE_API_TOKEN")
        let email = settings.optional("CLOUDFLARE_EMAIL") ?? settings.optional("CF_API_EMAIL")
        let key = settings.optional("CLOUDFLARE_API_KEY") ?? settings.optional("CF_API_KEY")
        let base = settings.parsed("CLOUDFLARE_BASE_URL", expected: "an https URL") { text in URL(string: text)?.host != nil ? text : nil } ?? "https://api.cloudflare.com/client/v4"
        var headers: HTTPHeaders = [:]
        switch (token, email, key) {
        case let (token?, _, _):
            headers.set("Authorization", "Bearer \(token)")
        case let (nil, email?, key?):
            headers.set("X-Auth-Email", email)
            headers.set("X-Auth-Key", key)
        case (nil, _?, nil):
            settings.missing("CLOUDFLARE_API_KEY (CLOUDFLARE_EMAIL is set), or CLOUDFLARE_DNS_API_TOKEN")
        case (nil, nil, _?):
            settings.missing("CLOUDFLARE_EMAIL (CLOUDFLARE_API_KEY is set), or CLOUDFLARE_DNS_API_TOKEN")
        case (nil, nil, nil):
            settings.missing("CLOUDFLARE_DNS_API_TOKEN (or CLOUDFLARE_EMAIL with CLOUDFLARE_API_KEY)")
        }
        try settings.validate()
        records = ProviderAPIClient(settings: settings, baseURL: base, headers: headers)
        zones = zoneToken.map { ProviderAPIClient(settings: settings, baseURL: base, headers: ["Authorization": "Bearer \($0)"]) } ?? records
    }

    public func present(_ record: ChallengeRecord) async throws {
        let doing = "adding TXT \"\(record.value)\" at \(record.fqdn) in zone \(record.zone)"
        let zoneID = try await zoneID(for: record.zone, doing: doing)
        let body: JSONValue = ["type": "TXT", "name": .string(Self.name(record.fqdn)), "content": .string(record.value), "ttl": .number(Double(max(record.ttl, 60)))]
        let response = try await records.send("POST", "/zones/\(zoneID)/dns_records", json: body, accept: [400], doing: doing)
        guard response.status == 400 else { return }
        // An identical record is already there: what present wants.
        let errors = (try? JSONValue.decode(response.body))?["errors"]?.arrayValue ?? []
        guard errors.contains(where: { $0["code"]?.numberValue == 81058 }) else {
            throw ProviderError(.rejected, provider: Self.code, "\(doing): the API answered 400: \(ProviderAPIClient.message(in: response))")
        }
    }

    public func cleanUp(_ record: ChallengeRecord) async throws {
        let doing = "deleting TXT \"\(record.value)\" at \(record.fqdn) in zone \(record.zone)"
        let zoneID = try await zoneID(for: record.zone, doing: doing)
        let found = try await records.json("GET", "/zones/\(zoneID)/dns_records", query: [("type", "TXT"), ("name", Self.name(record.fqdn)), ("content", record.value), ("per_page", "100")], doing: doing)
        for item in found["result"]?.arrayValue ?? [] {
            guard let id = item["id"]?.stringValue, item["content"]?.stringValue.map(TXTContent.unquoted) == record.value else { continue }
            try await records.send("DELETE", "/zones/\(zoneID)/dns_records/\(id)", accept: [404], doing: doing)
        }
    }

    /// The zone's id, looked up by its exact name once per run.
    private func zoneID(for zone: String, doing: String) async throws -> String {
        let name = Self.name(zone)
        if let known = zoneIDs.get(name) { return known }
        let found = try await zones.json("GET", "/zones", query: [("name", name), ("per_page", "50")], doing: doing)
        guard let id = found["result"]?.arrayValue?.first(where: { $0["name"]?.stringValue == name })?["id"]?.stringValue else {
            throw ProviderError(.rejected, provider: Self.code, "\(doing): the account has no zone named \(name) (check the token's zone permissions)")
        }
        zoneIDs.set(name, id)
        return id
    }

    /// `_acme-challenge.example.com.` → `_acme-challenge.example.com`.
    static func name(_ fqdn: String) -> String {
        fqdn.hasSuffix(".") ? String(fqdn.dropLast()) : fqdn
    }

    /// cert-manager's `cloudflare` solver: `email`, `apiTokenSecretRef`, `apiKeySecretRef`.
    public static func variables(fromCertManagerSolver solver: JSONValue, context: CertManagerSolverContext) async throws -> [String: String] {
        var variables: [String: String] = [:]
        variables["CLOUDFLARE_EMAIL"] = solver["email"]?.stringValue
        for (field, variable) in [("apiTokenSecretRef", "CLOUDFLARE_DNS_API_TOKEN"), ("apiKeySecretRef", "CLOUDFLARE_API_KEY")] {
            if let reference = solver[field], let name = reference["name"]?.stringValue, let key = reference["key"]?.stringValue {
                variables[variable] = try await context.secretValue(name, key)
            }
        }
        return variables
    }
}
