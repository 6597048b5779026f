import Foundation
import TestSupport
import Testing

/// The lab's Python HTTP servers listen with room for a burst of connections, not socketserver's
/// default backlog of 5. It was first suspected of the "SSL connection timeout" that failed
/// provider stand-in tests in CI; the cause was the whole suite's load (see LabSlot.swift).
@Suite(.lab) struct ListenBacklogTests {
    /// The backlog of the socket listening on `port`: `ss` shows it as Send-Q of a listener.
    static func backlog(port: Int) async throws -> Int? {
        let result = try await Subprocess.run("ss", ["-ltnH", "sport = :\(port)"])
        return result.stdout.split(separator: "\n").compactMap { line in
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            return fields.count > 2 ? Int(fields[2]) : nil
        }.first
    }

    @Test func aProviderStandInListensWithABacklogOfAtLeast128_AgainstLab() async throws {
        let lab = try await ProviderAPILab("digitalocean", credentials: ["token": "backlog-\(UUID().uuidString)"])
        let port = try #require(URLComponents(string: lab.baseURL)?.port)
        let backlog = try #require(try await Self.backlog(port: port), "no listener on \(port)")
        #expect(backlog >= 128)
    }

    @Test func theScriptedHTTPSServerListensWithABacklogOfAtLeast128() async throws {
        let server = try await ScriptedHTTPSServer()
        let port = try #require(URLComponents(string: server.baseURL)?.port)
        let backlog = try #require(try await Self.backlog(port: port), "no listener on \(port)")
        #expect(backlog >= 128)
    }
}
