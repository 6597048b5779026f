import CertCore
import Foundation
import Testing

/// A POST without a body (e.g. OVH's zone refresh) sends an empty body of length 0: curl must
/// never fall back to reading the request body from this process's stdin, a user's terminal.
@Suite struct EmptyPostTests {
    @Test func aPostWithoutABodySendsContentLengthZeroAndNothingFromStdin() async throws {
        let fixture = try HTTPClientTests.shared.get()
        let client = try HTTPClient(configuration: fixture.configuration())
        let response = try await client.send(HTTPRequest(method: "POST", url: fixture.baseURL + "/echo"))
        #expect(response.status == 200)
        let echo = try JSONDecoder().decode(HTTPClientTests.Echo.self, from: response.body)
        #expect(echo.method == "POST")
        #expect(echo.body == "")
        #expect(echo.header("Content-Length") == "0")
        #expect(echo.header("Transfer-Encoding") == nil)
    }
}
