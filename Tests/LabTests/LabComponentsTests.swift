import CertCore
import Foundation
import TestSupport
import Testing

/// Every HTTP server of the lab answers through the transport (the DNS servers are asked by
/// the DNS-01 engine's own tests).
@Suite(.lab) struct LabComponentsTests {
    @Test func pebbleServesItsDirectoryOverHTTP2_AgainstPebble() async throws {
        let bundle = try Lab.require("LAB_CA_BUNDLE", component: "pebble")
        let pem = try #require(FileManager.default.contents(atPath: bundle))
        let client = try HTTPClient(configuration: HTTPClientConfiguration(trust: .only(pem: pem)))
        let response = try await client.send(HTTPRequest(url: try Lab.require("PEBBLE_DIRECTORY_URL", component: "pebble")))
        #expect(response.status == 200)
        #expect(response.httpVersion == "2")
        let directory = try JSONSerialization.jsonObject(with: response.body) as? [String: Any]
        #expect(directory?["newNonce"] is String)
        let root = try await client.send(HTTPRequest(url: try Lab.require("PEBBLE_MANAGEMENT_URL", component: "pebble") + "/roots/0"))
        #expect(root.text.hasPrefix("-----BEGIN CERTIFICATE-----"))
    }

    @Test func powerDNSServesItsZoneThroughItsAPI_AgainstPowerDNS() async throws {
        let url = try Lab.require("LAB_PDNS_API_URL", component: "pdns")
        let key = try Lab.require("LAB_PDNS_API_KEY", component: "pdns")
        let zone = try Lab.require("LAB_PDNS_ZONE", component: "pdns")
        let client = try HTTPClient()
        let response = try await client.send(HTTPRequest(url: "\(url)/api/v1/servers/localhost/zones/\(zone).", headers: ["X-API-Key": key]))
        #expect(response.status == 200)
        let body = try JSONSerialization.jsonObject(with: response.body) as? [String: Any]
        #expect(body?["name"] as? String == "\(zone).")
        let refused = try await client.send(HTTPRequest(url: "\(url)/api/v1/servers/localhost/zones", headers: ["X-API-Key": "wrong"]))
        #expect(refused.status == 401)
    }

    @Test func motoServesTheHostedZone_AgainstMoto() async throws {
        let endpoint = try Lab.require("LAB_MOTO_ENDPOINT", component: "moto")
        let zoneID = try Lab.require("LAB_ROUTE53_ZONE_ID", component: "moto")
        let accessKey = try Lab.require("LAB_AWS_ACCESS_KEY_ID", component: "moto")
        // moto routes by the service named in the credential scope, and keys accounts by the
        // access key; it does not check the signature.
        let authorization = "AWS4-HMAC-SHA256 Credential=\(accessKey)/20260101/us-east-1/route53/aws4_request, SignedHeaders=host, Signature=0"
        let response = try await HTTPClient().send(HTTPRequest(url: "\(endpoint)/2013-04-01/hostedzone/\(zoneID)", headers: ["Authorization": authorization]))
        #expect(response.status == 200)
        #expect(response.text.contains("route53.test"))
    }
}
