@testable import CertCore
import Foundation
import Testing

/// The engine's bookkeeping, driven directly: a cancel that arrives after its transfer ended
/// (and was freed) never reaches a later transfer, and a cancel that arrives with its
/// transfer ends it without starting it.
@Suite struct LateCancelTests {
    struct SlowAnswer: Decodable {
        var query: String?
    }

    struct NotTheFixturesTrust: Error {}

    static func settings(_ fixture: HTTPClientTests.Fixture) throws -> CurlSettings {
        let configuration = fixture.configuration()
        guard case .only(let pem) = configuration.trust else { throw NotTheFixturesTrust() }
        return CurlSettings(caBundle: pem, clientIdentity: configuration.clientIdentity, insecureSkipVerify: false, serverName: nil, proxy: nil,
                            connectTimeoutMilliseconds: 10_000, timeoutMilliseconds: nil, userAgent: "kubectl-certs-test")
    }

    /// Runs one request to its end on `engine`; `beforeWaiting` gets the transfer's id once it
    /// is submitted. The transfer is freed when this returns.
    static func send(_ url: String, engine: CurlMultiEngine, settings: CurlSettings, beforeWaiting: (CurlTransfer.ID) -> Void = { _ in }) async throws -> (HTTPResponse, CurlTransfer.ID) {
        var id: CurlTransfer.ID?
        let response = try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<HTTPResponse, any Error>) in
            do {
                let transfer = try CurlTransfer(request: HTTPRequest(url: url), settings: settings, continuation: continuation)
                id = transfer.id
                engine.submit(transfer)
                beforeWaiting(transfer.id)
            } catch {
                continuation.resume(throwing: error)
            }
        }
        return (response, try #require(id))
    }

    @Test func aLateCancelNeverReachesALaterTransfer() async throws {
        let fixture = try HTTPClientTests.shared.get()
        let settings = try Self.settings(fixture)
        let engine = CurlMultiEngine(maxConnectionsPerHost: 4)
        defer { engine.shutdown() }
        // Every transfer that has ended, each cancelled again while a new one runs: the
        // allocator hands out freed addresses again, so some new transfer sits where an old
        // one was.
        var finished: [CurlTransfer.ID] = []
        for round in 0..<40 {
            let (response, id) = try await Self.send(fixture.baseURL + "/slow?ms=5&round=\(round)", engine: engine, settings: settings) { _ in
                finished.forEach(engine.cancel)
            }
            #expect(response.status == 200)
            #expect(try JSONDecoder().decode(SlowAnswer.self, from: response.body).query == "ms=5&round=\(round)")
            finished.append(id)
        }
    }

    @Test func aCancelArrivingWithItsTransferEndsItCancelled() async throws {
        let fixture = try HTTPClientTests.shared.get()
        let settings = try Self.settings(fixture)
        let engine = CurlMultiEngine(maxConnectionsPerHost: 4)
        defer { engine.shutdown() }
        for round in 0..<10 {
            let error = await #expect(throws: HTTPError.self) {
                _ = try await Self.send(fixture.baseURL + "/slow?ms=30000&round=\(round)", engine: engine, settings: settings) { id in engine.cancel(id) }
            }
            #expect(error?.kind == .cancelled)
        }
    }
}
