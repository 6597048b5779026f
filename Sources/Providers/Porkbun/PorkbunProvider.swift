public import DNS01
internal import CertCore
internal import Foundation

/// Porkbun's API v3: every call is a POST whose JSON body carries the key pair. TXT records are
/// separate objects, so adding a value is a create and removing it deletes the records (by id)
/// that hold exactly that value.
public struct PorkbunProvider: DNSProviderAdapter {
    public static let code = "porkbun"
    /// Porkbun refuses a shorter TTL.
    static let minimumTTL = 600
    var api: ProviderAPIClient
    /// `apikey` and `secretapikey`, merged into every body (never into a URL or a header).
    let keys: [String: JSONValue]

    public init(settings: inout ProviderSettings) throws(ProviderError) {
        let key = settings.required("PORKBUN_API_KEY")
        let secret = settings.required("PORKBUN_SECRET_API_KEY")
        let base = settings.parsed("PORKBUN_BASE_URL", expected: "an https URL") { text in URL(string: text)?.host != nil ? text : nil } ?? "https://api.porkbun.com/api/json/v3"
        try settings.validate()
        guard let key, let secret else { throw ProviderError(.configuration, provider: Self.code, "PORKBUN_API_KEY and PORKBUN_SECRET_API_KEY are needed") }
        keys = ["apikey": .string(key), "secretapikey": .string(secret)]
        api = ProviderAPIClient(settings: settings, baseURL: base)
    }

    public func present(_ record: ChallengeRecord) async throws {
        let doing = "adding TXT \"\(record.value)\" at \(record.fqdn) in zone \(record.zone)"
        let (domain, name) = try Self.split(record, doing: doing)
        guard try await ids(of: record, domain: domain, name: name, doing: doing).isEmpty else { return }
        let body: [String: JSONValue] = ["name": .string(name), "type": "TXT", "content": .string(record.value), "ttl": .string(String(max(record.ttl, Self.minimumTTL)))]
        try await call("/dns/create/\(domain)", body, doing: doing)
    }

    public func cleanUp(_ record: ChallengeRecord) async throws {
        let doing = "deleting TXT \"\(record.value)\" at \(record.fqdn) in zone \(record.zone)"
        let (domain, name) = try Self.split(record, doing: doing)
        for id in try await ids(of: record, domain: domain, name: name, doing: doing) {
            try await call("/dns/delete/\(domain)/\(id)", [:], doing: doing)
        }
    }

    /// The ids of the TXT records at the record's name holding exactly its value.
    private func ids(of record: ChallengeRecord, domain: String, name: String, doing: String) async throws -> [String] {
        let found = try await call("/dns/retrieveByNameType/\(domain)/TXT" + (name.isEmpty ? "" : "/\(name)"), [:], doing: doing)
        return (found["records"]?.arrayValue ?? []).compactMap { item in
            guard item["content"]?.stringValue == record.value else { return nil }
            return item["id"]?.stringValue ?? item["id"]?.intValue.map(String.init)
        }
    }

    /// POSTs `fields` plus the keys; an answer whose status is not SUCCESS is refused with
    /// Porkbun's message.
    @discardableResult
    private func call(_ path: String, _ fields: [String: JSONValue], doing: String) async throws -> JSONValue {
        let answer = try await api.json("POST", path, json: .object(fields.merging(keys) { $1 }), doing: doing)
        guard answer["status"]?.stringValue == "SUCCESS" else {
            throw ProviderError(.rejected, provider: Self.code, "\(doing): Porkbun answered \(answer["message"]?.stringValue ?? "without SUCCESS")")
        }
        return answer
    }

    /// `_acme-challenge.a.example.com.` in `example.com.` → (`example.com`, `_acme-challenge.a`);
    /// the apex is the empty name.
    static func split(_ record: ChallengeRecord, doing: String) throws(ProviderError) -> (domain: String, name: String) {
        let zone = DNSName.normalized(record.zone), fqdn = DNSName.normalized(record.fqdn)
        let domain = String(zone.dropLast())
        if fqdn == zone { return (domain, "") }
        guard fqdn.hasSuffix("." + zone) else { throw ProviderError(.rejected, provider: code, "\(doing): \(record.fqdn) is not inside zone \(record.zone)") }
        return (domain, String(fqdn.dropLast(zone.count + 1)))
    }
}
