import Foundation
import TestSupport

/// The Kubernetes API test server's fault knobs (`POST /_test/faults`) and request log, called
/// as the lab's admin with curl, each call waiting off the tests' shared thread pool. Every fault a test adds is scoped to its own namespace by `path`, so
/// tests running alongside are not disturbed.
struct KubeFaults {
    struct Failed: Error, CustomStringConvertible {
        var description: String
    }

    let server: String
    private let credentials: [String]

    init() throws {
        server = try Lab.require("KUBE_TEST_SERVER_URL", component: "kube")
        let dir = URL(fileURLWithPath: try Lab.require("LAB_KUBECONFIG", component: "kube")).deletingLastPathComponent()
        credentials = ["--cacert", dir.appendingPathComponent("ca.pem").path,
                       "--cert", dir.appendingPathComponent("admin.pem").path,
                       "--key", dir.appendingPathComponent("admin-key.pem").path]
    }

    /// Queues faults; each one is a JSON object as the server's README describes.
    func add(_ faults: [[String: Any]]) async throws {
        let body = try JSONSerialization.data(withJSONObject: faults)
        let result = try await Subprocess.run("curl", ["-sS", "--fail", "-X", "POST", "-H", "Content-Type: application/json", "--data-binary", "@-"] + credentials + ["\(server)/_test/faults"], input: body)
        guard result.status == 0 else { throw Failed(description: "POST /_test/faults failed: \(result.stderr)") }
    }

    /// Lets the requests held by a `{"hold": name}` fault go on (or the next one pass at once).
    func release(_ name: String) async throws {
        let body = try JSONSerialization.data(withJSONObject: ["hold": name])
        let result = try await Subprocess.run("curl", ["-sS", "--fail", "-X", "POST", "-H", "Content-Type: application/json", "--data-binary", "@-"] + credentials + ["\(server)/_test/faults/release"], input: body)
        guard result.status == 0 else { throw Failed(description: "POST /_test/faults/release failed: \(result.stderr)") }
    }

    /// The queued faults whose path pattern mentions `text`.
    func queued(mentioning text: String) async throws -> [[String: Any]] {
        let result = try await Subprocess.run("curl", ["-sS", "--fail"] + credentials + ["\(server)/_test/faults"])
        guard result.status == 0, let json = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any] else {
            throw Failed(description: "GET /_test/faults failed: \(result.stderr)")
        }
        return ((json["faults"] as? [[String: Any]]) ?? []).filter { ($0["path"] as? String)?.contains(text) == true }
    }

    /// The server's log of recent requests whose path contains `text`: (method, path, status).
    func requests(mentioning text: String) async throws -> [(method: String, path: String, status: Int)] {
        let result = try await Subprocess.run("curl", ["-sS", "--fail"] + credentials + ["\(server)/_test/requests"])
        guard result.status == 0, let json = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any] else {
            throw Failed(description: "GET /_test/requests failed: \(result.stderr)")
        }
        return ((json["requests"] as? [[String: Any]]) ?? []).compactMap { entry in
            guard let path = entry["path"] as? String, path.contains(text) else { return nil }
            return ((entry["method"] as? String) ?? "", path, (entry["status"] as? Int) ?? 0)
        }
    }

    /// Uses up the faults still queued for `path` with requests given up at once, so that no
    /// later run meets them. `path` is the pattern the faults were added with.
    func drain(method: String, path: String) async throws {
        let url = server + "/api/v1" + path.replacingOccurrences(of: "$", with: "")
        for _ in 0..<10 {
            guard try await !queued(mentioning: path).isEmpty else { return }
            _ = try await Subprocess.run("curl", ["-s", "-o", "/dev/null", "-m", "0.5", "-X", method] + credentials + [url])
        }
    }

    /// Stores objects in one request (`POST /_test/seed`), much faster than one create each.
    func seed(_ objects: [[String: Any]]) async throws {
        let body = try JSONSerialization.data(withJSONObject: objects)
        let result = try await Subprocess.run("curl", ["-sS", "--fail", "-X", "POST", "-H", "Content-Type: application/json", "--data-binary", "@-"] + credentials + ["\(server)/_test/seed"], input: body)
        guard result.status == 0 else { throw Failed(description: "POST /_test/seed failed: \(result.stderr)") }
    }

    /// A path pattern for one namespace's objects of a resource, optionally one object.
    static func path(namespace: String, resource: String = "secrets", name: String? = nil) -> String {
        "/namespaces/\(namespace)/\(resource)" + (name.map { "/\($0)$" } ?? "$")
    }
}
