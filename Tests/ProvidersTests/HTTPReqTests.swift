import DNS01
import Foundation
import Providers
import TestSupport
import Testing

/// The httpreq adapter against a web service as users write one for lego (
/// lab/httpreq-server/httpreq_server.py: basic auth checked, records published in the lab's BIND).
@Suite(.lab) struct HTTPReqTests {
    /// The service for the lab's zone, requiring user `user` and `password` (given to it in its
    /// environment, never as an argument).
    func service(_ lab: NSUpdateLab, user: String, password: String) async throws -> ServerProcess {
        try await ServerProcess("env", ["HTTPREQ_SERVER_PASSWORD=\(password)", "python3", NSUpdateLab.server("httpreq-server/httpreq_server.py"),
                                  "--zone", lab.zone, "--nameserver", lab.primary, "--key-file", lab.keyFile, "--username", user])
    }

    @Test func conformance_AgainstBINDAndKnot() async throws {
        let lab = try NSUpdateLab()
        let password = UUID().uuidString
        let server = try await service(lab, user: "hook", password: password)
        let environment = ["HTTPREQ_ENDPOINT": "http://127.0.0.1:\(server.port)", "HTTPREQ_USERNAME": "hook", "HTTPREQ_PASSWORD": password]
        try await runProviderConformance(
            makeProvider: { try configuredProvider(environment, code: "httpreq") },
            makeWrongProvider: { try configuredProvider(environment.merging(["HTTPREQ_PASSWORD": "wrong-\(UUID().uuidString)"]) { $1 }, code: "httpreq") },
            makeUnreachableProvider: { try configuredProvider(environment.merging(["HTTPREQ_ENDPOINT": "http://127.0.0.9:1"]) { $1 }, code: "httpreq") },
            zone: lab.zone,
            nameservers: try RFC2136Lab().nameservers,
            isClearCredentialError: { $0.hasPrefix("httpreq: ") && $0.contains("401") && $0.contains("invalid username or password") && !$0.contains(password) })
        #expect(server.outputLines.contains { $0.hasPrefix("PRESENT _acme-challenge.conf-") })
        #expect(server.outputLines.contains { $0.hasPrefix("CLEANUP _acme-challenge.conf-") })
    }

    @Test func aRefusedRequestShowsTheStatusAndTheStartOfTheBody_AgainstBIND() async throws {
        let lab = try NSUpdateLab()
        let password = UUID().uuidString
        let server = try await service(lab, user: "hook", password: password)
        let provider = try configuredProvider(["HTTPREQ_ENDPOINT": "http://127.0.0.1:\(server.port)/", "HTTPREQ_USERNAME": "hook", "HTTPREQ_PASSWORD": password], code: "httpreq")
        let error = await #expect(throws: ProviderError.self) {
            try await provider.present(ChallengeRecord(fqdn: "_acme-challenge.www.elsewhere.test", zone: "elsewhere.test", value: "v3", ttl: 60))
        }
        #expect(error?.code == .rejected)
        let message = error?.message ?? ""
        #expect(message.hasPrefix("httpreq: presenting TXT \"v3\" at _acme-challenge.www.elsewhere.test. (zone elsewhere.test.): the API answered 400: fqdn _acme-challenge.www.elsewhere.test. is not an absolute name in zone example.test."), "\(message)")
        #expect(message.contains("POST http://127.0.0.1:\(server.port)/present"))
    }

    @Test func aServiceThatNeverAnswersIsGivenUpAtHTTPREQ_HTTP_TIMEOUT() async throws {
        // Accepts connections (the kernel's backlog) and never reads or answers.
        let silent = try await ServerProcess("python3", ["-c", "import socket, sys; s = socket.socket(); s.bind(('127.0.0.1', 0)); s.listen(8); print('READY', s.getsockname()[1], flush=True); sys.stdin.read()"])
        let provider = try configuredProvider(["HTTPREQ_ENDPOINT": "http://127.0.0.1:\(silent.port)", "HTTPREQ_HTTP_TIMEOUT": "1s"], code: "httpreq")
        let error = await #expect(throws: ProviderError.self) {
            try await provider.present(ChallengeRecord(fqdn: "_acme-challenge.silent.example.test", zone: "example.test", value: "v4", ttl: 60))
        }
        #expect(error?.code == .unreachable, "\(error?.message ?? "")")
        #expect(error?.message.contains("_acme-challenge.silent.example.test.") == true, "\(error?.message ?? "")")
        // The transport says how long it waited: about HTTPREQ_HTTP_TIMEOUT, not the client's 30 s default.
        let waited = error?.message.components(separatedBy: "timed out after ").dropFirst().first?.split(separator: " ").first.flatMap { Int($0) }
        #expect(waited.map { (1000..<5000).contains($0) } == true, "\(error?.message ?? "")")
    }

    @Test func halfOfBasicAuthAndABadModeAreReportedTogether() {
        let error = #expect(throws: ProviderError.self) {
            try configuredProvider(["HTTPREQ_ENDPOINT": "https://hooks.example.com/acme", "HTTPREQ_USERNAME": "u", "HTTPREQ_MODE": "json"], code: "httpreq")
        }
        let message = error?.message ?? ""
        #expect(message.contains("missing HTTPREQ_PASSWORD (HTTPREQ_USERNAME is set)"), "\(message)")
        #expect(message.contains("HTTPREQ_MODE=json is not one of RAW"), "\(message)")
    }

    @Test func anEndpointThatIsNotAnHTTPURLIsRefused() {
        let error = #expect(throws: ProviderError.self) { try configuredProvider(["HTTPREQ_ENDPOINT": "hooks.example.com"], code: "httpreq") }
        #expect(error?.message.contains("HTTPREQ_ENDPOINT=hooks.example.com is not an http(s) URL") == true, "\(error?.message ?? "")")
    }
}
