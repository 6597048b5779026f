import CertCore
import Foundation

/// A Pebble of one test's own, on random ports, with the lab CA's `localhost` certificate and
/// the lab's CA resolver (`LAB_DNS_CA_RESOLVER`) for validation — for the settings the lab's
/// shared Pebble must not have (a high nonce rejection rate) and for stopping and restarting it.
public final class OwnPebble: @unchecked Sendable {
    public struct Failed: Error, CustomStringConvertible {
        public var description: String
    }

    /// The directory URL clients use.
    public private(set) var directoryURL: String
    /// The lab CA's certificate, which the Pebble's HTTPS certificate chains to.
    public let caBundle: String
    /// The external account key ids it accepts.
    public let externalAccountKeyIDs: [String]
    private let configFile: URL
    private let directory: URL
    private let environment: [String: String]
    private let dnsServer: String
    private let lock = NSLock()
    private var process: SpawnedProcess?

    /// Starts Pebble (`-strict`, no validation delay) and waits until it serves its directory.
    /// With `externalAccountKeys` (key id → base64url HMAC key) it requires external account
    /// binding. `authzReusePercent` is `PEBBLE_AUTHZREUSE`: how often a new order gets the
    /// account's valid authorization for a name instead of a new one. At 0 Pebble still reuses
    /// one order in a hundred (`IssueLab.forgetAccounts(in:)`).
    public init(nonceRejectPercent: Int = 0, authzReusePercent: Int = 0, externalAccountKeys: [String: String] = [:]) async throws {
        caBundle = try Lab.require("LAB_CA_BUNDLE", component: "pebble")
        externalAccountKeyIDs = externalAccountKeys.keys.sorted()
        dnsServer = try Lab.require("LAB_DNS_CA_RESOLVER", component: "dns")
        directoryURL = ""
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("own-pebble-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        configFile = directory.appendingPathComponent("pebble.json")
        environment = ["PEBBLE_WFE_NONCEREJECT": String(nonceRejectPercent), "PEBBLE_VA_NOSLEEP": "1", "PEBBLE_AUTHZREUSE": String(authzReusePercent)]
        // Ports the system hands out may be taken again before Pebble binds them, and a Pebble
        // on a loaded machine may not come up: a few tries, each on fresh ports.
        var lastFailure: (any Error)?
        for _ in 0..<3 {
            do {
                try writeConfig(port: try Self.freePort(), managementPort: try Self.freePort(), externalAccountKeys: externalAccountKeys)
                try await start()
                return
            } catch {
                lastFailure = error
                stop()
            }
        }
        throw lastFailure ?? Failed(description: "the test's Pebble did not start")
    }

    private func writeConfig(port: Int, managementPort: Int, externalAccountKeys: [String: String]) throws {
        let caDirectory = URL(fileURLWithPath: caBundle).deletingLastPathComponent()
        directoryURL = "https://127.0.0.1:\(port)/dir"
        try """
        {"pebble": {"listenAddress": "127.0.0.1:\(port)", "managementListenAddress": "127.0.0.1:\(managementPort)",
          "certificate": "\(caDirectory.appendingPathComponent("localhost.pem").path)",
          "privateKey": "\(caDirectory.appendingPathComponent("localhost-key.pem").path)",
          "httpPort": \(port + 2), "tlsPort": \(port + 3), "ocspResponderURL": "",
          "externalAccountBindingRequired": \(!externalAccountKeys.isEmpty),
          "externalAccountMACKeys": \(String(decoding: try JSONSerialization.data(withJSONObject: externalAccountKeys), as: UTF8.self))}}
        """.write(to: configFile, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: configFile.path)
    }

    /// A TCP port on 127.0.0.1 that nothing listens on now.
    public static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw Failed(description: "no socket for a free port") }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
        }
        guard bound else { throw Failed(description: "no free port") }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    /// Starts the process and waits (bounded) until its directory answers, without holding a
    /// thread of the tests' small shared pool.
    public func start() async throws {
        let log = directory.appendingPathComponent("pebble.log")
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        let output = try FileHandle(forWritingTo: log)
        defer { try? output.close() }
        let pebble = try SpawnedProcess(
            "pebble", arguments: ["-config", configFile.path, "-strict", "-dnsserver", dnsServer],
            environment: ProcessInfo.processInfo.environment.merging(environment) { $1 },
            stdout: .descriptor(output.fileDescriptor), stderr: .descriptor(output.fileDescriptor))
        lock.withLock { process = pebble }
        // Pebble makes its CA keys as it starts: slow on a busy machine.
        let deadline = Date().addingTimeInterval(30)
        while Date() < deadline {
            let probe = try await Subprocess.run("curl", ["-sf", "-o", "/dev/null", "--cacert", caBundle, directoryURL])
            if probe.status == 0 { return }
            guard pebble.isRunning else { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        let said = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
        throw Failed(description: "the test's Pebble at \(directoryURL) did not start: \(said.suffix(2000))")
    }

    /// Kills the process (SIGKILL: it forgets every account, order and authorization).
    public func stop() {
        guard let running = lock.withLock({ process }) else { return }
        running.signal(SIGKILL)
        running.waitUntilExit()
        lock.withLock { process = nil }
    }

    deinit {
        stop()
        try? FileManager.default.removeItem(at: directory)
    }
}
