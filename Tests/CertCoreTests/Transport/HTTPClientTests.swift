import CertCore
import Foundation
import TestSupport
import Testing

/// The transport against a local HTTPS server (lab/https-test-server/https_test_server.py) that
/// demands a client certificate, started by these tests.
@Suite(.lab) struct HTTPClientTests {
    /// One PKI and one server for the whole suite.
    final class Fixture: Sendable {
        let pki: TestPKI
        let otherPKI: TestPKI
        let client: TestPKI.Issued
        let server: ServerProcess
        let sniServer: ServerProcess

        init() throws {
            pki = try TestPKI()
            otherPKI = try TestPKI(name: "Unrelated CA")
            let serverCert = try pki.server("server", dnsNames: ["localhost"], ipAddresses: ["127.0.0.1"])
            let sniCert = try pki.server("sni", dnsNames: ["api.internal"])
            client = try pki.client("client", commonName: "test-user", organization: "testers")
            let script = Lab.repositoryRoot.appendingPathComponent("lab/https-test-server/https_test_server.py").path
            server = try ServerProcess(waitingOnThisThread: "python3", [script, "serve", "--cert", serverCert.certificatePath, "--key", serverCert.keyPath, "--client-ca", pki.ca.certificatePath])
            sniServer = try ServerProcess(waitingOnThisThread: "python3", [script, "serve", "--cert", sniCert.certificatePath, "--key", sniCert.keyPath])
        }

        var baseURL: String { "https://127.0.0.1:\(server.port)" }

        func configuration(
            trust: HTTPClientConfiguration.Trust? = nil,
            identity: Bool = true,
            maxConnections: Int = 6
        ) -> HTTPClientConfiguration {
            HTTPClientConfiguration(
                trust: trust ?? .only(pem: pki.ca.certificatePEM),
                clientIdentity: identity ? .init(certificatePEM: client.certificatePEM, privateKeyPEM: client.keyPEM) : nil,
                maxConnectionsPerHost: maxConnections
            )
        }
    }

    static let shared = Result { try Fixture() }
    var fixture: Fixture { get throws { try Self.shared.get() } }

    struct Echo: Decodable {
        var method: String
        var path: String
        var headers: [[String]]
        var body: String
        var clientSubject: String
        var sni: String?
        var connection: Int?

        func header(_ name: String) -> String? {
            headers.first { $0[0].lowercased() == name.lowercased() }?[1]
        }
    }

    @Test func postsABodyAndHeadersWithTheClientCertificate() async throws {
        let fixture = try fixture
        let client = try HTTPClient(configuration: fixture.configuration())
        var request = HTTPRequest(method: "POST", url: fixture.baseURL + "/echo", headers: ["Content-Type": "application/jose+json", "X-Custom": "one"], body: Data(#"{"hello":"world"}"#.utf8))
        request.headers.add("X-Custom", "two")
        let response = try await client.send(request)
        #expect(response.status == 200)
        #expect(response.headers["x-test-server"] == "echo")
        #expect(response.headers["CONTENT-TYPE"] == "application/json")
        let echo = try JSONDecoder().decode(Echo.self, from: response.body)
        #expect(echo.method == "POST")
        #expect(echo.body == #"{"hello":"world"}"#)
        #expect(echo.header("Content-Type") == "application/jose+json")
        #expect(echo.headers.filter { $0[0] == "X-Custom" }.map { $0[1] } == ["one", "two"])
        #expect(echo.header("Expect") == nil)
        #expect(echo.header("User-Agent") == "kubectl-certs")
        #expect(echo.clientSubject.contains("commonName=test-user"))
    }

    @Test(arguments: ["PUT", "PATCH", "DELETE", "HEAD"])
    func sendsEveryMethod(method: String) async throws {
        let fixture = try fixture
        let client = try HTTPClient(configuration: fixture.configuration())
        let response = try await client.send(HTTPRequest(method: method, url: fixture.baseURL + "/echo", body: method == "PATCH" ? Data("x".utf8) : nil))
        #expect(response.status == 200)
        if method == "HEAD" {
            #expect(response.body.isEmpty)
        } else {
            #expect(try JSONDecoder().decode(Echo.self, from: response.body).method == method)
        }
    }

    @Test func anErrorStatusIsAResponseNotAnError() async throws {
        let fixture = try fixture
        let client = try HTTPClient(configuration: fixture.configuration())
        let response = try await client.send(HTTPRequest(url: fixture.baseURL + "/status/418"))
        #expect(response.status == 418)
    }

    @Test func anUnknownCAFailsVerificationWithTheReason() async throws {
        let fixture = try fixture
        let client = try HTTPClient(configuration: fixture.configuration(trust: .only(pem: fixture.otherPKI.ca.certificatePEM)))
        let error = await #expect(throws: HTTPError.self) { try await client.send(HTTPRequest(url: fixture.baseURL + "/echo")) }
        #expect(error?.kind == .tlsVerification)
        #expect(error?.reason.contains("certificate") == true)
        #expect(error?.description.hasPrefix("GET https://127.0.0.1:") == true)
    }

    @Test func systemTrustAloneDoesNotTrustTheTestCA() async throws {
        let fixture = try fixture
        let client = try HTTPClient(configuration: fixture.configuration(trust: .system))
        let error = await #expect(throws: HTTPError.self) { try await client.send(HTTPRequest(url: fixture.baseURL + "/echo")) }
        #expect(error?.kind == .tlsVerification)
    }

    @Test func systemTrustPlusTheTestCAConnects() async throws {
        let fixture = try fixture
        let client = try HTTPClient(configuration: fixture.configuration(trust: .systemAnd(pem: fixture.pki.ca.certificatePEM)))
        #expect(try await client.send(HTTPRequest(url: fixture.baseURL + "/echo")).status == 200)
    }

    @Test func insecureSkipVerifyAcceptsAnUnknownCA() async throws {
        let fixture = try fixture
        var configuration = fixture.configuration(trust: .only(pem: fixture.otherPKI.ca.certificatePEM))
        configuration.insecureSkipVerify = true
        let client = try HTTPClient(configuration: configuration)
        #expect(try await client.send(HTTPRequest(url: fixture.baseURL + "/echo")).status == 200)
    }

    @Test func aMissingClientCertificateIsRefused() async throws {
        let fixture = try fixture
        let client = try HTTPClient(configuration: fixture.configuration(identity: false))
        let error = await #expect(throws: HTTPError.self) { try await client.send(HTTPRequest(url: fixture.baseURL + "/echo")) }
        // The refusal is a TLS alert; now and then the server's reset overtakes it and curl sees
        // only the connection drop. Either way no response arrives.
        #expect(error?.kind == .tlsHandshake || error?.kind == .connectionLost, "\(error?.description ?? "")")
    }

    @Test func aClientKeyThatIsNotPEMIsReportedAsAHandshakeProblem() async throws {
        let fixture = try fixture
        var configuration = fixture.configuration()
        configuration.clientIdentity?.privateKeyPEM = Data("not a key".utf8)
        let client = try HTTPClient(configuration: configuration)
        let error = await #expect(throws: HTTPError.self) { try await client.send(HTTPRequest(url: fixture.baseURL + "/echo")) }
        #expect(error?.kind == .tlsHandshake, "\(error?.description ?? "")")
        #expect(error?.description.contains("not a key") == false)
    }

    @Test func theServerNameOverridesSNIAndVerificationButNotTheAddress() async throws {
        let fixture = try fixture
        let url = "https://127.0.0.1:\(fixture.sniServer.port)/echo"
        // Without the override the certificate (for api.internal only) does not match 127.0.0.1.
        let plain = try HTTPClient(configuration: fixture.configuration(identity: false))
        let error = await #expect(throws: HTTPError.self) { try await plain.send(HTTPRequest(url: url)) }
        #expect(error?.kind == .tlsVerification)

        var configuration = fixture.configuration(identity: false)
        configuration.serverName = "api.internal"
        let client = try HTTPClient(configuration: configuration)
        let response = try await client.send(HTTPRequest(url: url))
        #expect(response.status == 200)
        let echo = try JSONDecoder().decode(Echo.self, from: response.body)
        #expect(echo.sni == "api.internal")
        #expect(echo.header("Host") == "127.0.0.1:\(fixture.sniServer.port)")
    }

    @Test func manyConcurrentRequestsShareFewConnections() async throws {
        let fixture = try fixture
        // A server of its own, so no other test's connections are counted.
        let serverCert = try fixture.pki.server("pool", dnsNames: ["localhost"], ipAddresses: ["127.0.0.1"])
        let server = try await ServerProcess("python3", [Lab.repositoryRoot.appendingPathComponent("lab/https-test-server/https_test_server.py").path, "serve", "--cert", serverCert.certificatePath, "--key", serverCert.keyPath])
        let baseURL = "https://127.0.0.1:\(server.port)"
        let client = try HTTPClient(configuration: fixture.configuration(identity: false, maxConnections: 3))
        let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
            for index in 0..<200 {
                group.addTask { try await client.send(HTTPRequest(url: baseURL + "/echo?n=\(index)")).status }
            }
            return try await group.reduce(into: [Int]()) { $0.append($1) }
        }
        #expect(statuses.count == 200)
        #expect(statuses.allSatisfy { $0 == 200 })
        let opened = try await connections(baseURL, client)
        #expect(opened >= 1 && opened <= 3, "200 requests opened \(opened) connections")
    }

    private func connections(_ baseURL: String, _ client: HTTPClient) async throws -> Int {
        let stats = try await client.send(HTTPRequest(url: baseURL + "/stats"))
        let object = try JSONSerialization.jsonObject(with: stats.body) as? [String: Int]
        return try #require(object?["connections"])
    }

    @Test func aSlowResponseTimesOut() async throws {
        let fixture = try fixture
        let client = try HTTPClient(configuration: fixture.configuration())
        let error = await #expect(throws: HTTPError.self) {
            try await client.send(HTTPRequest(url: fixture.baseURL + "/slow?ms=3000", timeout: .milliseconds(300)))
        }
        #expect(error?.kind == .timeout)
    }

    @Test func aRefusedConnectionSaysSo() async throws {
        let client = try HTTPClient()
        // Port 9 (discard) on loopback: nothing listens there in the test machine.
        let error = await #expect(throws: HTTPError.self) { try await client.send(HTTPRequest(url: "https://127.0.0.1:9/")) }
        #expect(error?.kind == .connect)
    }

    @Test func cancellingTheTaskAbandonsTheRequest() async throws {
        let fixture = try fixture
        let client = try HTTPClient(configuration: fixture.configuration())
        let task = Task { try await client.send(HTTPRequest(url: fixture.baseURL + "/slow?ms=5000")) }
        try await Task.sleep(for: .milliseconds(200))
        task.cancel()
        let result = await task.result
        #expect(throws: HTTPError.self) { try result.get() }
        if case .failure(let error as HTTPError) = result { #expect(error.kind == .cancelled) }
        // The client still works afterwards.
        #expect(try await client.send(HTTPRequest(url: fixture.baseURL + "/echo")).status == 200)
    }

    @Test func requestsGoThroughAnHTTPSProxy() async throws {
        let fixture = try fixture
        let proxy = try await ServerProcess("python3", [Lab.repositoryRoot.appendingPathComponent("lab/https-test-server/https_test_server.py").path, "proxy"])
        var configuration = fixture.configuration()
        configuration.proxy = "http://127.0.0.1:\(proxy.port)"
        let client = try HTTPClient(configuration: configuration)
        #expect(try await client.send(HTTPRequest(url: fixture.baseURL + "/echo")).status == 200)
        #expect(proxy.outputLines.contains("CONNECT 127.0.0.1:\(fixture.server.port)"))
    }
}
