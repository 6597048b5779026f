public import DNS01
internal import CertCore
internal import Foundation

/// Calls a web service of the user's, exactly as lego's `httpreq` provider does:
/// `POST $HTTPREQ_ENDPOINT/present` and `POST $HTTPREQ_ENDPOINT/cleanup` with the JSON body
/// `{"fqdn": "_acme-challenge.example.com.", "value": "…"}`, with HTTP basic authentication
/// when `HTTPREQ_USERNAME` and `HTTPREQ_PASSWORD` are set. Any 2xx answer is success.
public struct HTTPReqProvider: DNSProviderAdapter {
    public static let code = "httpreq"
    var api: ProviderAPIClient

    public init(settings: inout ProviderSettings) throws(ProviderError) {
        let endpoint = settings.parsed("HTTPREQ_ENDPOINT", expected: "an http(s) URL such as https://dns-hook.example.com/acme", required: true) { text in
            URLComponents(string: text).flatMap { ["http", "https"].contains($0.scheme?.lowercased() ?? "") && $0.host != nil && $0.query == nil ? text : nil }
        }
        let mode = settings.choice("HTTPREQ_MODE", among: ["RAW"])
        let username = settings.optional("HTTPREQ_USERNAME")
        let password = settings.optional("HTTPREQ_PASSWORD")
        let timeout = settings.duration("HTTPREQ_HTTP_TIMEOUT")
        if mode != nil {
            settings.problem("HTTPREQ_MODE=RAW is not supported yet: it sends the ACME token and key authorization, which kubectl-certs does not hand to DNS providers; unset HTTPREQ_MODE to send {\"fqdn\", \"value\"}")
        }
        if (username == nil) != (password == nil) {
            settings.missing(username == nil ? "HTTPREQ_USERNAME (HTTPREQ_PASSWORD is set)" : "HTTPREQ_PASSWORD (HTTPREQ_USERNAME is set)")
        }
        try settings.validate()
        guard let endpoint else { throw ProviderError(.configuration, provider: Self.code, "HTTPREQ_ENDPOINT is needed") }
        var headers: HTTPHeaders = [:]
        if let username, let password {
            headers.set("Authorization", "Basic " + Data("\(username):\(password)".utf8).base64EncodedString())
        }
        api = ProviderAPIClient(settings: settings, baseURL: endpoint, headers: headers, sign: timeout.map { limit in
            // Not a signature: the per-request hook is where HTTPREQ_HTTP_TIMEOUT is applied.
            { @Sendable request in request.timeout = limit }
        })
    }

    public func present(_ record: ChallengeRecord) async throws {
        try await api.send("POST", "/present", json: ["fqdn": .string(record.fqdn), "value": .string(record.value)], doing: "presenting TXT \"\(record.value)\" at \(record.fqdn) (zone \(record.zone))")
    }

    public func cleanUp(_ record: ChallengeRecord) async throws {
        try await api.send("POST", "/cleanup", json: ["fqdn": .string(record.fqdn), "value": .string(record.value)], doing: "cleaning up TXT \"\(record.value)\" at \(record.fqdn) (zone \(record.zone))")
    }
}
