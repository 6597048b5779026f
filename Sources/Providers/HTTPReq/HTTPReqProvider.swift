public import DNS01
internal import CertCore
internal import Foundation

/// Calls a web service of the user's, exactly as lego's `httpreq` provider does:
/// `POST $HTTPREQ_ENDPOINT/present` and `POST $HTTPREQ_ENDPOINT/cleanup` with the JSON body
/// `{"fqdn": "_acme-challenge.example.com.", "value": "…"}` — with `HTTPREQ_MODE=RAW`,
/// `{"domain": "example.com", "token": "…", "keyAuth": "…"}` — with HTTP basic authentication
/// when `HTTPREQ_USERNAME` and `HTTPREQ_PASSWORD` are set. Any 2xx answer is success.
public struct HTTPReqProvider: DNSProviderAdapter {
    public static let code = "httpreq"
    var api: ProviderAPIClient
    var raw: Bool

    public init(settings: inout ProviderSettings) throws(ProviderError) {
        let endpoint = settings.parsed("HTTPREQ_ENDPOINT", expected: "an http(s) URL such as https://dns-hook.example.com/acme", required: true) { text in
            URLComponents(string: text).flatMap { ["http", "https"].contains($0.scheme?.lowercased() ?? "") && $0.host != nil && $0.query == nil ? text : nil }
        }
        let mode = settings.choice("HTTPREQ_MODE", among: ["RAW"])
        let username = settings.optional("HTTPREQ_USERNAME")
        let password = settings.optional("HTTPREQ_PASSWORD")
        let timeout = settings.duration("HTTPREQ_HTTP_TIMEOUT")
        raw = mode != nil
        if (username == nil) != (password == nil) {
            settings.missing(username == nil ? "HTTPREQ_USERNAME (HTTPREQ_PASSWORD is set)" : "HTTPREQ_PASSWORD (HTTPREQ_USERNAME is set)")
        }
        try settings.validate()
        guard let endpoint else { throw ProviderError(.configuration, provider: Self.code, "HTTPREQ_ENDPOINT is needed") }
        var headers: HTTPHeaders = [:]
        if let username, let password {
            headers.set("Authorization", "Basic " + Data("\(username):\(password)".utf8).base64EncodedString())
        }
        api = ProviderAPIClient(settings: settings, baseURL: endpoint, headers: headers)
        api.requestTimeout = timeout
    }

    public func present(_ record: ChallengeRecord) async throws {
        let doing = "presenting TXT \"\(record.value)\" at \(record.fqdn) (zone \(record.zone))"
        try await api.send("POST", "/present", json: try body(record, doing: doing), doing: doing)
    }

    public func cleanUp(_ record: ChallengeRecord) async throws {
        let doing = "cleaning up TXT \"\(record.value)\" at \(record.fqdn) (zone \(record.zone))"
        try await api.send("POST", "/cleanup", json: try body(record, doing: doing), doing: doing)
    }

    private func body(_ record: ChallengeRecord, doing: String) throws(ProviderError) -> JSONValue {
        guard raw else { return ["fqdn": .string(record.fqdn), "value": .string(record.value)] }
        guard let acme = record.acme, let domain = record.domain else {
            throw ProviderError(.configuration, provider: Self.code, "\(doing): HTTPREQ_MODE=RAW sends the ACME challenge, and this record has none (a `dns check` probe answers no CA); unset HTTPREQ_MODE for probes")
        }
        return ["domain": .string(RawChallenge.domain(domain)), "token": .string(acme.token), "keyAuth": .string(acme.keyAuthorization)]
    }
}
