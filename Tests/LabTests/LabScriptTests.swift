import Foundation
import TestSupport
import Testing

/// `scripts/lab` itself, run on a lab directory of the test's own with ports no other lab uses.
@Suite(.lab) struct LabScriptTests {
    /// A port nothing listens on right now.
    static func freePort() throws -> Int {
        let result = try Subprocess.run("python3", ["-c", "import socket; s = socket.socket(); s.bind(('127.0.0.1', 0)); print(s.getsockname()[1])"])
        return try #require(Int(result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)))
    }

    /// Runs `scripts/lab` with no descriptors but the standard three: Foundation's `Process` waits
    /// until every holder of a socket it hands its child is gone, and the servers `up` starts in
    /// the background would inherit it.
    static func lab(_ arguments: [String], environment: [String: String]) throws -> Subprocess.Result {
        let script = Lab.repositoryRoot.appendingPathComponent("scripts/lab").path
        let closingDescriptors = "import subprocess, sys; sys.exit(subprocess.run(sys.argv[1:], close_fds=True).returncode)"
        return try Subprocess.run("python3", ["-c", closingDescriptors, script] + arguments, environment: environment)
    }

    /// Whether `pid` names a process that has not exited (a zombie waiting for pid 1 counts as exited).
    static func isRunning(_ pid: Int) -> Bool {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let end = stat.lastIndex(of: ")") else { return false }
        let state = stat[stat.index(end, offsetBy: 2)]
        return state != "Z" && state != "X"
    }

    static func isListening(_ port: Int) throws -> Bool {
        let result = try Subprocess.run("python3", ["-c", "import socket, sys; sys.exit(socket.socket().connect_ex(('127.0.0.1', \(port))))"])
        return result.status == 0
    }

    /// moto comes up, then Pebble fails to (a stand-in `pebble` that exits at once): `up` must stop
    /// moto again and exit non-zero, so `make test` neither runs the tests nor leaves servers behind.
    @Test func upThatFailsMidwayStopsWhatItStarted() throws {
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        let labDirectory = scratch.url.appendingPathComponent("lab").path
        let bin = scratch.url.appendingPathComponent("bin")
        try FileManager.default.createDirectory(at: bin, withIntermediateDirectories: true)
        // Keeps the pid moto had while it ran, then fails as a broken Pebble would.
        let pebble = try scratch.write("bin/pebble", """
            #!/bin/sh
            cp "$LAB_DIR/moto/moto.pid" "$LAB_DIR/moto-while-up.pid"
            echo "pebble: a stand-in that fails" >&2
            exit 3

            """)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: pebble)
        let motoPort = try Self.freePort()
        let environment = [
            "LAB_DIR": labDirectory,
            "PATH": "\(bin.path):\(ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin")",
            "LAB_MOTO_ENDPOINT": "http://127.0.0.1:\(motoPort)",
            "PEBBLE_DIRECTORY_URL": "https://127.0.0.1:\(try Self.freePort())/dir",
            "PEBBLE_MANAGEMENT_URL": "https://127.0.0.1:\(try Self.freePort())",
            "LAB_UP_TIMEOUT": "60",
        ]
        defer { _ = try? Self.lab(["down"], environment: environment) }

        let up = try Self.lab(["up", "moto", "pebble"], environment: environment)

        #expect(up.status != 0, "lab up must fail when a component does not come up")
        #expect(up.stderr.contains("pebble: a stand-in that fails"))
        let seen = try String(contentsOfFile: "\(labDirectory)/moto-while-up.pid", encoding: .utf8)
        let pid = try #require(seen.split(separator: " ").first.flatMap { Int($0) }, "moto was not up when Pebble started")
        #expect(!Self.isRunning(pid), "moto (pid \(pid)) still runs after the failed up")
        #expect(try !Self.isListening(motoPort), "something still listens on moto's port \(motoPort)")
        let status = try Self.lab(["status", "moto", "pebble"], environment: environment)
        #expect(status.stdout.split(separator: "\n").map { $0.split(separator: " ").prefix(2).joined(separator: " ") } == ["moto down", "pebble down"])
    }
}
