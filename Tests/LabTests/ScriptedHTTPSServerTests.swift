import CertCore
import Foundation
import TestSupport
import Testing

/// The scripted HTTPS server that DNS-provider tests stand in for a provider's API, driven by the
/// project's own transport trusting only the lab CA.
@Suite struct ScriptedHTTPSServerTests {
    @Test func answersAsScriptedAndRecordsEveryRequest() async throws {
        let api = try await ScriptedHTTPSServer()
        let client = try HTTPClient(configuration: HTTPClientConfiguration(trust: .only(pem: api.caPEM)))
        try api.answer("GET", "/v1/zones", .json(#"{"zones":["example.test"]}"#))
        try api.answer("POST", "/v1/zones/example.test/records",
                       .json(#"{"error":"slow down"}"#, status: 429, headers: ["Retry-After": "7"]),
                       .json(#"{"id":"rec-1"}"#, status: 201))

        let zones = try await client.send(HTTPRequest(url: "\(api.baseURL)/v1/zones?name=example.test&page=2",
                                                      headers: ["Authorization": "Bearer token-for-zones"]))
        #expect(zones.status == 200)
        #expect(zones.headers["Content-Type"] == "application/json")
        #expect(zones.text == #"{"zones":["example.test"]}"#)

        let record = Data(#"{"type":"TXT","name":"_acme-challenge","content":"v1"}"#.utf8)
        let throttled = try await client.send(HTTPRequest(method: "POST", url: "\(api.baseURL)/v1/zones/example.test/records",
                                                          headers: ["Content-Type": "application/json"], body: record))
        #expect(throttled.status == 429)
        #expect(throttled.headers["Retry-After"] == "7")
        let created = try await client.send(HTTPRequest(method: "POST", url: "\(api.baseURL)/v1/zones/example.test/records",
                                                        headers: ["Content-Type": "application/json"], body: record))
        #expect(created.status == 201)
        #expect(created.text == #"{"id":"rec-1"}"#)
        let createdAgain = try await client.send(HTTPRequest(method: "POST", url: "\(api.baseURL)/v1/zones/example.test/records", body: record))
        #expect(createdAgain.status == 201, "the last reply repeats")

        let unscripted = try await client.send(HTTPRequest(method: "DELETE", url: "\(api.baseURL)/v1/zones/example.test/records/rec-1"))
        #expect(unscripted.status == 404)
        #expect(unscripted.text.contains("no scripted answer for DELETE /v1/zones/example.test/records/rec-1"))

        let log = try api.requests
        #expect(log.map { "\($0.method) \($0.path)" } == [
            "GET /v1/zones",
            "POST /v1/zones/example.test/records",
            "POST /v1/zones/example.test/records",
            "POST /v1/zones/example.test/records",
            "DELETE /v1/zones/example.test/records/rec-1",
        ])
        #expect(log[0].query == "name=example.test&page=2")
        #expect(log[0].header("authorization") == "Bearer token-for-zones")
        #expect(log[0].body.isEmpty)
        #expect(log[1].query.isEmpty)
        #expect(log[1].header("Content-Type") == "application/json")
        #expect(log[1].body == record)
    }

    @Test func aNewScriptForARouteStartsFromItsFirstReply() async throws {
        let api = try await ScriptedHTTPSServer()
        let client = try HTTPClient(configuration: HTTPClientConfiguration(trust: .only(pem: api.caPEM)))
        try api.answer("GET", "/status", .json("{}", status: 503), .json(#"{"state":"first"}"#, status: 200))
        #expect(try await client.send(HTTPRequest(url: "\(api.baseURL)/status")).status == 503)

        try api.answer("GET", "/status", .json(#"{"state":"second"}"#, status: 202))
        let second = try await client.send(HTTPRequest(url: "\(api.baseURL)/status"))
        #expect(second.status == 202)
        #expect(second.text == #"{"state":"second"}"#)
        #expect(try api.requests.count == 2)
    }
}
