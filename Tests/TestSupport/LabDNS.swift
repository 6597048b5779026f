import Foundation

/// Publishes and checks TXT records in the lab's zones with the standard tools (`nsupdate`,
/// `dig`), for tests of modules that must not depend on the DNS-01 engine (the ACME client).
public enum LabDNS {
    public struct Failed: Error, CustomStringConvertible {
        public var description: String
        public init(description: String) { self.description = description }
    }

    /// Adds (or, with `remove`, deletes) TXT values at `name` in the lab's `example.test` zone,
    /// through the BIND primary with the lab's TSIG key (from a key file, never argv).
    public static func update(_ name: String, values: [String], remove: Bool = false) throws {
        let primary = try Lab.require("LAB_DNS_PRIMARY", component: "dns")
        let zone = try Lab.require("LAB_DNS_ZONE", component: "dns")
        let keyName = try Lab.require("LAB_TSIG_KEY", component: "dns")
        let secret = try Lab.require("LAB_TSIG_SECRET", component: "dns")
        let algorithm = try Lab.require("LAB_TSIG_ALGORITHM", component: "dns")
        let keyFile = FileManager.default.temporaryDirectory.appendingPathComponent("lab-tsig-\(UUID().uuidString).key")
        guard FileManager.default.createFile(atPath: keyFile.path, contents: Data("key \"\(keyName)\" { algorithm \(algorithm); secret \"\(secret)\"; };\n".utf8), attributes: [.posixPermissions: 0o600]) else {
            throw Failed(description: "cannot write a TSIG key file in \(FileManager.default.temporaryDirectory.path)")
        }
        defer { try? FileManager.default.removeItem(at: keyFile) }
        var script = "server \(primary) 53\nzone \(zone)\n"
        for value in values {
            script += "update \(remove ? "delete" : "add") \(name). \(remove ? "" : "30 ")TXT \"\(value)\"\n"
        }
        script += "send\n"
        let result = try Subprocess.run("nsupdate", ["-k", keyFile.path], input: Data(script.utf8))
        guard result.status == 0 else {
            throw Failed(description: "nsupdate failed for \(name): \(result.stderr)")
        }
    }

    /// The TXT values `server` answers for `name`, asked without recursion.
    public static func txt(_ name: String, at server: String) throws -> [String] {
        let result = try Subprocess.run("dig", ["+norecurse", "+short", "+time=1", "+tries=2", "@\(server)", name, "TXT"])
        return result.stdout.split(separator: "\n").map { $0.trimmingCharacters(in: CharacterSet(charactersIn: "\" ")) }
    }

    /// Waits (bounded) until both lab nameservers serve no TXT value at all at `name`.
    public static func waitUntilEmpty(_ name: String) async throws {
        let servers = [try Lab.require("LAB_DNS_PRIMARY", component: "dns"), try Lab.require("LAB_DNS_SECONDARY", component: "dns")]
        let deadline = Date().addingTimeInterval(30)
        while try servers.contains(where: { try !txt(name, at: $0).isEmpty }) {
            guard Date() < deadline else { throw Failed(description: "\(name) still has TXT records on a lab nameserver after 30 s") }
            try await Task.sleep(for: .milliseconds(200))
        }
    }

    /// Waits (bounded) until both lab nameservers serve every value at `name`.
    public static func waitUntilServed(_ name: String, values: [String]) async throws {
        let servers = [try Lab.require("LAB_DNS_PRIMARY", component: "dns"), try Lab.require("LAB_DNS_SECONDARY", component: "dns")]
        let deadline = Date().addingTimeInterval(30)
        while true {
            let answers = try servers.map { try txt(name, at: $0) }
            let done = answers.allSatisfy { served in
                values.allSatisfy { served.contains($0) }
            }
            if done { return }
            guard Date() < deadline else {
                throw Failed(description: "\(name) TXT not served by both nameservers within 30 s: \(zip(servers, answers).map { "\($0): \($1)" })")
            }
            try await Task.sleep(for: .milliseconds(200))
        }
    }
}
