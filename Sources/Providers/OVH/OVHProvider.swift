public import DNS01
internal import CertCore
internal import Foundation
internal import Synchronization

/// OVHcloud's API v1 with an application key/secret and a consumer key. Every call is signed
/// (`X-Ovh-Signature`: "$1$" + SHA-1 over the secret, consumer key, method, URL, body and
/// timestamp), with the timestamp taken from OVH's clock (`GET /auth/time`, once per run). Each
/// TXT value is its own record; a change is served once the zone is refreshed.
public struct OVHProvider: DNSProviderAdapter {
    public static let code = "ovh"
    /// lego's (and OVH's client libraries') endpoint names.
    static let endpoints = [
        "ovh-eu": "https://eu.api.ovh.com/1.0", "ovh-ca": "https://ca.api.ovh.com/1.0", "ovh-us": "https://api.us.ovhcloud.com/1.0",
        "kimsufi-eu": "https://eu.api.kimsufi.com/1.0", "kimsufi-ca": "https://ca.api.kimsufi.com/1.0",
        "soyoustart-eu": "https://eu.api.soyoustart.com/1.0", "soyoustart-ca": "https://ca.api.soyoustart.com/1.0",
    ]
    var api: ProviderAPIClient
    /// OVH's clock, which the request timestamps follow.
    let clock: OVHClock

    public init(settings: inout ProviderSettings) throws(ProviderError) {
        let base = settings.parsed("OVH_ENDPOINT", expected: "one of \(Self.endpoints.keys.sorted().joined(separator: ", ")), or an https URL", required: true) { text in
            Self.endpoints[text.lowercased()] ?? (URL(string: text)?.scheme == "https" && URL(string: text)?.host != nil ? text : nil)
        }
        let applicationKey = settings.required("OVH_APPLICATION_KEY")
        let applicationSecret = settings.required("OVH_APPLICATION_SECRET")
        let consumerKey = settings.required("OVH_CONSUMER_KEY")
        try settings.validate()
        guard let base, let applicationKey, let applicationSecret, let consumerKey else {
            throw ProviderError(.configuration, provider: Self.code, "OVH_ENDPOINT, OVH_APPLICATION_KEY, OVH_APPLICATION_SECRET and OVH_CONSUMER_KEY are needed")
        }
        let clock = OVHClock(api: ProviderAPIClient(settings: settings, baseURL: base))
        self.clock = clock
        api = ProviderAPIClient(settings: settings, baseURL: base, headers: ["X-Ovh-Application": applicationKey, "X-Ovh-Consumer": consumerKey]) { request in
            let stamp = String(clock.now())
            let body = request.body.map { String(decoding: $0, as: UTF8.self) } ?? ""
            let signed = [applicationSecret, consumerKey, request.method, request.url, body, stamp].joined(separator: "+")
            request.headers.set("X-Ovh-Timestamp", stamp)
            request.headers.set("X-Ovh-Signature", "$1$" + Digest.sha1(Data(signed.utf8)).map { String(format: "%02x", $0) }.joined())
        }
    }

    public func present(_ record: ChallengeRecord) async throws {
        let doing = "adding TXT \"\(record.value)\" at \(record.fqdn) in zone \(record.zone)"
        let (zone, sub) = try Self.split(record, doing: doing)
        guard try await ids(of: record, zone: zone, sub: sub, doing: doing).isEmpty else { return }
        try await call("POST", "/domain/zone/\(zone)/record", json: ["fieldType": "TXT", "subDomain": .string(sub), "target": .string(record.value), "ttl": .number(Double(record.ttl))], doing: doing)
        try await call("POST", "/domain/zone/\(zone)/refresh", doing: doing)
    }

    public func cleanUp(_ record: ChallengeRecord) async throws {
        let doing = "deleting TXT \"\(record.value)\" at \(record.fqdn) in zone \(record.zone)"
        let (zone, sub) = try Self.split(record, doing: doing)
        let found = try await ids(of: record, zone: zone, sub: sub, doing: doing)
        guard !found.isEmpty else { return }
        for id in found {
            try await call("DELETE", "/domain/zone/\(zone)/record/\(id)", accept: [404], doing: doing)
        }
        try await call("POST", "/domain/zone/\(zone)/refresh", doing: doing)
    }

    /// The ids of the TXT records at `sub` whose target is exactly the record's value (the
    /// listing gives ids only, so each is read).
    private func ids(of record: ChallengeRecord, zone: String, sub: String, doing: String) async throws -> [Int] {
        let listed = try await call("GET", "/domain/zone/\(zone)/record", query: [("fieldType", "TXT"), ("subDomain", sub)], doing: doing)
        var matching: [Int] = []
        for id in (listed.arrayValue ?? []).compactMap(\.intValue) {
            let item = try await call("GET", "/domain/zone/\(zone)/record/\(id)", accept: [404], doing: doing)
            if item["target"]?.stringValue.map(Self.unquoted) == record.value { matching.append(id) }
        }
        return matching
    }

    /// One signed call. OVH refuses a bad signature with 400 INVALID_SIGNATURE, which is a wrong
    /// application secret: reported as refused credentials.
    @discardableResult
    private func call(_ method: String, _ path: String, query: [(String, String)] = [], json: JSONValue? = nil, accept: Set<Int> = [], doing: String) async throws -> JSONValue {
        try await clock.synchronize(doing: doing)
        // A POST without a body (refresh) still says so: an empty body, Content-Length 0.
        let empty = json == nil && method == "POST" ? Data() : nil
        let response = try await api.send(method, path, query: query, json: json, body: empty, accept: accept.union([400]), doing: doing)
        let answer = (try? JSONValue.decode(response.body)) ?? .null
        if response.status == 400 {
            let said = ProviderAPIClient.message(in: response)
            let code: ProviderError.Code = answer["errorCode"]?.stringValue == "INVALID_SIGNATURE" ? .credentialsRefused : .rejected
            var text = "\(doing): the API answered 400: \(said) (\(method) \(ProviderAPIClient.withoutQuery(api.baseURL + path)))"
            if code == .credentialsRefused { text += " — check OVH_APPLICATION_SECRET (`kubectl certs providers show ovh`)" }
            throw ProviderError(code, provider: Self.code, text)
        }
        return answer
    }

    /// `_acme-challenge.a.example.com.` in `example.com.` → (`example.com`, `_acme-challenge.a`);
    /// the apex is the empty sub-domain.
    static func split(_ record: ChallengeRecord, doing: String) throws(ProviderError) -> (zone: String, sub: String) {
        let zone = DNSName.normalized(record.zone), fqdn = DNSName.normalized(record.fqdn)
        if fqdn == zone { return (String(zone.dropLast()), "") }
        guard fqdn.hasSuffix("." + zone) else { throw ProviderError(.rejected, provider: code, "\(doing): \(record.fqdn) is not inside zone \(record.zone)") }
        return (String(zone.dropLast()), String(fqdn.dropLast(zone.count + 1)))
    }

    static func unquoted(_ value: String) -> String {
        value.count >= 2 && value.hasPrefix("\"") && value.hasSuffix("\"") ? String(value.dropFirst().dropLast()) : value
    }
}

/// OVH's clock as this machine sees it: the difference to `GET /auth/time`, asked once.
final class OVHClock: Sendable {
    private let api: ProviderAPIClient
    private let offset = Mutex<Int?>(nil)

    init(api: ProviderAPIClient) {
        self.api = api
    }

    /// Learns the difference to OVH's clock, the first time only; `doing` names the call it is for.
    func synchronize(doing: String) async throws {
        guard offset.withLock({ $0 }) == nil else { return }
        let answer = try await api.json("GET", "/auth/time", doing: "\(doing) (reading OVH's clock)")
        guard let server = answer.intValue else {
            throw ProviderError(.rejected, provider: OVHProvider.code, "\(doing): OVH's /auth/time did not answer a Unix time")
        }
        let difference = server - Int(Date().timeIntervalSince1970)
        offset.withLock { $0 = difference }
    }

    /// OVH's current Unix time (this machine's before `synchronize`).
    func now() -> Int {
        Int(Date().timeIntervalSince1970) + (offset.withLock { $0 } ?? 0)
    }
}
