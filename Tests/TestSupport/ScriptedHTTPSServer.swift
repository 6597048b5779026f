public import Foundation
import Synchronization

/// An HTTPS server on 127.0.0.1 (a random port) that answers as the test scripts it and records
/// every request: the stand-in for a DNS provider's HTTP API in that provider's test
/// (`lab/scripted-https-server/`). It serves the lab CA's `localhost` certificate, so a client
/// trusts it with `caPEM`.
///
///     let api = try await ScriptedHTTPSServer()
///     try api.answer("POST", "/v1/records", .json("{}", status: 429, headers: ["Retry-After": "1"]), .json(#"{"id":"r1"}"#, status: 201))
///     … run the provider against api.baseURL …
///     #expect(try api.requests.map(\.path) == ["/v1/records", "/v1/records"])
public final class ScriptedHTTPSServer: Sendable {
    /// One scripted answer.
    public struct Reply: Sendable, Encodable {
        public var status: Int
        public var headers: [String: String]
        public var body: String

        public init(status: Int, headers: [String: String] = [:], body: String = "") {
            self.status = status
            self.headers = headers
            self.body = body
        }

        /// `body` (JSON text) with `Content-Type: application/json`.
        public static func json(_ body: String, status: Int = 200, headers: [String: String] = [:]) -> Reply {
            Reply(status: status, headers: headers.merging(["Content-Type": "application/json"]) { mine, _ in mine }, body: body)
        }
    }

    /// One request as the server received it.
    public struct Request: Sendable, Decodable {
        public var method: String
        /// The path without the query.
        public var path: String
        /// The raw query, without `?`; empty when there was none.
        public var query: String
        public var headers: [[String]]
        public var body: Data

        /// The value of the first header called `name` (any case).
        public func header(_ name: String) -> String? {
            headers.first { $0.first?.lowercased() == name.lowercased() }?.last
        }

        public var text: String { String(decoding: body, as: UTF8.self) }
    }

    public struct MissingLabCertificate: Error, CustomStringConvertible {
        public var path: String
        public var description: String {
            "the lab CA's localhost certificate \(path) is missing: run `scripts/lab up` (any component makes it)"
        }
    }

    private struct Route: Encodable {
        var method: String
        var path: String
        var replies: [Reply]
    }

    /// `https://127.0.0.1:<port>`
    public let baseURL: String
    /// The lab CA, for the client's trust.
    public let caPEM: Data
    private let directory: URL
    private let routes = Mutex<[Route]>([])
    private let server: ServerProcess

    public init() async throws {
        let ca = Lab.directory.appendingPathComponent("ca")
        let certificate = ca.appendingPathComponent("localhost.pem").path
        for path in [certificate, ca.appendingPathComponent("localhost-key.pem").path, ca.appendingPathComponent("ca.pem").path]
        where !FileManager.default.isReadableFile(atPath: path) {
            throw MissingLabCertificate(path: path)
        }
        caPEM = try Data(contentsOf: ca.appendingPathComponent("ca.pem"))
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("scripted-https-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try Data(#"{"routes": []}"#.utf8).write(to: directory.appendingPathComponent("script.json"))
        let script = Lab.repositoryRoot.appendingPathComponent("lab/scripted-https-server/scripted_https_server.py").path
        server = try await ServerProcess("python3", [
            script, "--cert", certificate, "--key", ca.appendingPathComponent("localhost-key.pem").path,
            "--script", directory.appendingPathComponent("script.json").path,
            "--log", directory.appendingPathComponent("requests.jsonl").path,
        ])
        baseURL = "https://127.0.0.1:\(server.port)"
    }

    deinit {
        try? FileManager.default.removeItem(at: directory)
    }

    /// Answers `method` `path` (without query) with `replies` in turn, the last one repeating;
    /// replaces what was scripted for them before.
    public func answer(_ method: String, _ path: String, _ first: Reply, _ then: Reply...) throws {
        let replies = [first] + then
        try routes.withLock { routes in
            routes.removeAll { $0.method == method && $0.path == path }
            routes.append(Route(method: method, path: path, replies: replies))
            // Written whole and renamed into place: the server reads it for every request.
            let file = directory.appendingPathComponent("script.json")
            try JSONEncoder().encode(["routes": routes]).write(to: file, options: .atomic)
        }
    }

    /// Every request so far, in the order they arrived (each is logged before it is answered).
    public var requests: [Request] {
        get throws {
            guard let log = FileManager.default.contents(atPath: directory.appendingPathComponent("requests.jsonl").path) else {
                return []
            }
            return try log.split(separator: UInt8(ascii: "\n")).map { try JSONDecoder().decode(Request.self, from: Data($0)) }
        }
    }
}
