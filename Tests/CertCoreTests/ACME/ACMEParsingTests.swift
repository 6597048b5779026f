@testable import CertCore
import Foundation
import Testing

/// The small parsers the ACME client relies on, against the formats the RFCs define.
@Suite struct ACMEParsingTests {
    @Test func alternateLinksAreFoundInSeparateAndCombinedHeaders() {
        var headers = HTTPHeaders()
        headers.add("Link", #"<https://ca.test/dir>;rel="index""#)
        headers.add("Link", #"<https://ca.test/cert/1/1>; rel="alternate""#)
        headers.add("Link", #"<https://ca.test/cert/1/2>;rel=alternate, <https://ca.test/up>;rel="up""#)
        #expect(ACMEClient.alternateLinks(headers) == ["https://ca.test/cert/1/1", "https://ca.test/cert/1/2"])
    }

    @Test func retryAfterTakesSecondsAndHTTPDates() throws {
        let now = Date(timeIntervalSince1970: 1_700_000_000)
        #expect(RetryAfter.date("120", now: now) == now.addingTimeInterval(120))
        #expect(RetryAfter.date("Wed, 21 Oct 2015 07:28:00 GMT") == Date(timeIntervalSince1970: 1_445_412_480))
        #expect(RetryAfter.date("soon") == nil)
        #expect(RetryAfter.date(nil) == nil)
    }

    @Test(arguments: [
        ("2025-01-02T03:04:05Z", 1_735_787_045.0),
        ("2025-01-02T03:04:05.5Z", 1_735_787_045.5),
        ("2025-01-02T03:04:05.123456789Z", 1_735_787_045.123),
        ("2025-01-02T04:04:05+01:00", 1_735_787_045.0),
    ])
    func timestampsParseWithAnyPrecision(text: String, epoch: Double) throws {
        let date = try #require(RFC3339.parse(text))
        #expect(abs(date.timeIntervalSince1970 - epoch) < 0.001)
    }

    @Test func problemsListSubproblemsAndSayWhatToDo() throws {
        let json = #"{"type":"urn:ietf:params:acme:error:rejectedIdentifier","detail":"some names refused","subproblems":[{"type":"urn:ietf:params:acme:error:caa","detail":"CAA forbids","identifier":{"type":"dns","value":"a.example.test"}}]}"#
        let problem = try JSONDecoder().decode(ACMEError.Problem.self, from: Data(json.utf8))
        let error = ACMEError(kind: .problem, message: "the ACME server refused https://ca.test/new-order (HTTP 400)", problem: problem, status: 400)
        #expect(error.problemType == "rejectedIdentifier")
        #expect(error.description == "the ACME server refused https://ca.test/new-order (HTTP 400): rejectedIdentifier: some names refused; a.example.test: caa: CAA forbids (the CA will not issue for this name)")
    }

    @Test func wellKnownServersResolveAndUnknownNamesAreRefused() throws {
        #expect(try ACMEServer("letsencrypt").directoryURL == "https://acme-v02.api.letsencrypt.org/directory")
        #expect(try ACMEServer("Google").directoryURL == "https://dv.acme-v02.api.pki.goog/directory")
        #expect(try ACMEServer("https://127.0.0.1:14000/dir").directoryURL == "https://127.0.0.1:14000/dir")
        let error = #expect(throws: ACMEError.self) { try ACMEServer("letsencrypt-prod") }
        #expect(error?.description.contains("letsencrypt-staging") == true)
        #expect(throws: ACMEError.self) { try ACMEServer("http://ca.example.com/dir") }
    }

    @Test func hexSerialsBecomeBytes() {
        #expect(Data(hex: "0a1B") == Data([0x0a, 0x1b]))
        #expect(Data(hex: "abc") == Data([0x0a, 0xbc]))
        #expect(Data(hex: "zz") == nil)
    }

    @Test func statusesAreReadAsKnownValuesAndUnknownOnesAreKept() throws {
        let order = try JSONDecoder().decode(ACMEOrder.Body.self, from: Data(#"{"status":"ready","identifiers":[],"finalize":"https://ca.test/f"}"#.utf8))
        #expect(order.status == .ready)
        let novel = try JSONDecoder().decode(ACMEOrder.Body.self, from: Data(#"{"status":"paused","identifiers":[],"finalize":"https://ca.test/f"}"#.utf8))
        #expect(novel.status == .other("paused"))
        #expect(novel.status.description == "paused")
        let authorization = try JSONDecoder().decode(ACMEAuthorization.Body.self, from: Data(#"{"status":"deactivated","identifier":{"type":"dns","value":"a.test"},"challenges":[{"type":"dns-01","url":"https://ca.test/c","status":"processing","token":"t"},{"type":"tls-alpn-01","url":"https://ca.test/d","status":"queued"}]}"#.utf8))
        #expect(authorization.status == .deactivated)
        #expect(authorization.challenges.map(\.status) == [.processing, .other("queued")])
        let reencoded = try JSONEncoder().encode(authorization.challenges[1])
        #expect(String(decoding: reencoded, as: UTF8.self).contains(#""status":"queued""#))
        #expect(ACMEAuthorization.Status(rawValue: "revoked") == .revoked)
    }
}
