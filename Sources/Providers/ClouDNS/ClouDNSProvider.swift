public import DNS01
internal import CertCore
internal import Foundation

/// ClouDNS's HTTP API. Its credentials are request parameters: they go in a POST form body,
/// never in a URL. Each TXT value is its own record, added once and deleted by id. ClouDNS
/// answers refusals with HTTP 200 and `"status": "Failed"`, so every answer's status is read.
public struct ClouDNSProvider: DNSProviderAdapter {
    public static let code = "cloudns"
    /// The TTLs ClouDNS accepts; a record's TTL is rounded up to the next one.
    static let acceptedTTLs = [60, 300, 900, 1800, 3600, 21600, 43200, 86400, 172800, 259200, 604800, 1209600, 2592000]
    var api: ProviderAPIClient
    /// `auth-id` or `sub-auth-id`, and `auth-password`.
    let credentials: [(String, String)]

    public init(settings: inout ProviderSettings) throws(ProviderError) {
        let id = settings.optional("CLOUDNS_AUTH_ID")
        let subID = settings.optional("CLOUDNS_SUB_AUTH_ID")
        let password = settings.required("CLOUDNS_AUTH_PASSWORD")
        let base = settings.parsed("CLOUDNS_BASE_URL", expected: "an https URL") { text in URL(string: text)?.host != nil ? text : nil } ?? "https://api.cloudns.net/dns"
        if id == nil && subID == nil { settings.missing("CLOUDNS_AUTH_ID (or CLOUDNS_SUB_AUTH_ID)") }
        try settings.validate()
        guard let password else { throw ProviderError(.configuration, provider: Self.code, "CLOUDNS_AUTH_PASSWORD is needed") }
        // As lego does, a sub-user id wins over the main id when both are set.
        credentials = [subID.map { ("sub-auth-id", $0) } ?? ("auth-id", id ?? ""), ("auth-password", password)]
        api = ProviderAPIClient(settings: settings, baseURL: base)
    }

    public func present(_ record: ChallengeRecord) async throws {
        let doing = "adding TXT \"\(record.value)\" at \(record.fqdn) in zone \(record.zone)"
        let (zone, host) = try await target(record, doing: doing)
        guard try await ids(of: record, zone: zone, host: host, doing: doing).isEmpty else { return }
        let ttl = Self.acceptedTTLs.first { $0 >= record.ttl } ?? Self.acceptedTTLs.last!
        try await call("add-record.json", [("domain-name", zone), ("record-type", "TXT"), ("host", host), ("record", record.value), ("ttl", String(ttl))], doing: doing)
    }

    public func cleanUp(_ record: ChallengeRecord) async throws {
        let doing = "deleting TXT \"\(record.value)\" at \(record.fqdn) in zone \(record.zone)"
        let (zone, host) = try await target(record, doing: doing)
        for id in try await ids(of: record, zone: zone, host: host, doing: doing) {
            try await call("delete-record.json", [("domain-name", zone), ("record-id", id)], doing: doing)
        }
    }

    /// The zone (checked to be in the account) and the host relative to it ("" at the apex).
    private func target(_ record: ChallengeRecord, doing: String) async throws -> (zone: String, host: String) {
        let zoneName = DNSName.normalized(record.zone), fqdn = DNSName.normalized(record.fqdn)
        let zone = String(zoneName.dropLast())
        let host: String
        if fqdn == zoneName {
            host = ""
        } else if fqdn.hasSuffix("." + zoneName) {
            host = String(fqdn.dropLast(zoneName.count + 1))
        } else {
            throw ProviderError(.rejected, provider: Self.code, "\(doing): \(record.fqdn) is not inside zone \(record.zone)")
        }
        let info = try await call("get-zone-info.json", [("domain-name", zone)], doing: doing)
        guard info["name"]?.stringValue?.lowercased() == zone else {
            throw ProviderError(.rejected, provider: Self.code, "\(doing): the account has no zone named \(zone)")
        }
        return (zone, host)
    }

    /// The ids of the TXT records at `host` holding exactly the record's value.
    private func ids(of record: ChallengeRecord, zone: String, host: String, doing: String) async throws -> [String] {
        let found = try await call("records.json", [("domain-name", zone), ("host", host), ("type", "TXT")], doing: doing)
        // An object keyed by record id, or [] when nothing matches.
        return (found.objectValue ?? [:]).values.compactMap { item in
            guard item["host"]?.stringValue?.lowercased() == host, item["record"]?.stringValue == record.value else { return nil }
            return item["id"]?.stringValue ?? item["id"]?.intValue.map(String.init)
        }.sorted()
    }

    /// `text` percent-encoded for an application/x-www-form-urlencoded body: everything but
    /// letters, digits and `-._~` (so a password's `+`, `&` or `=` arrives as written).
    static func formEncoded(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: unreserved) ?? text
    }

    private static let unreserved = CharacterSet(charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~")

    /// POSTs `parameters` and the credentials as a form; a `"status": "Failed"` answer throws
    /// with ClouDNS's description (refused credentials as such).
    @discardableResult
    private func call(_ endpoint: String, _ parameters: [(String, String)], doing: String) async throws -> JSONValue {
        let body = Data((credentials + parameters).map { "\(Self.formEncoded($0.0))=\(Self.formEncoded($0.1))" }.joined(separator: "&").utf8)
        let response = try await api.send("POST", "/\(endpoint)", body: body, headers: ["Content-Type": "application/x-www-form-urlencoded"], doing: doing)
        guard let answer = try? JSONValue.decode(response.body) else {
            throw ProviderError(.rejected, provider: Self.code, "\(doing): ClouDNS answered \(response.status) with a body that is not JSON: \(ProviderAPIClient.start(of: response.text))")
        }
        guard answer["status"]?.stringValue == "Failed" else { return answer }
        let said = answer["statusDescription"]?.stringValue ?? "Failed"
        if said.hasPrefix("Invalid authentication") {
            throw ProviderError(.credentialsRefused, provider: Self.code, "\(doing): ClouDNS answered: \(said) — check CLOUDNS_AUTH_ID / CLOUDNS_SUB_AUTH_ID and CLOUDNS_AUTH_PASSWORD (`kubectl certs providers show cloudns`)")
        }
        throw ProviderError(.rejected, provider: Self.code, "\(doing): ClouDNS answered: \(said)")
    }
}
