public import Foundation

/// Runs programs for tests: the built `kubectl-certs`, the real `kubectl`, `openssl`.
public enum Subprocess {
    public struct Result: Sendable {
        public var status: Int32
        public var stdout: String
        public var stderr: String
    }

    /// The directory holding the binaries SwiftPM built (`.build/debug`), where the test
    /// bundle itself lives; `KUBECTL_CERTS_BIN_DIR` overrides it.
    public static var buildDirectory: URL {
        if let dir = ProcessInfo.processInfo.environment["KUBECTL_CERTS_BIN_DIR"] {
            return URL(fileURLWithPath: dir)
        }
        var url = Bundle.main.bundleURL
        while url.path != "/" && !FileManager.default.fileExists(atPath: url.appendingPathComponent("kubectl-certs").path) {
            url.deleteLastPathComponent()
        }
        return url
    }

    /// The same as the blocking `run`, for async tests: the wait happens on a thread of its own,
    /// so that tests running in parallel on Swift's small cooperative pool (two threads on a
    /// two-core machine) are not starved while a long command runs.
    public static func run(
        _ executable: String,
        _ arguments: [String],
        environment: [String: String] = [:],
        input: Data? = nil
    ) async throws -> Result {
        try await withCheckedThrowingContinuation { continuation in
            Thread.detachNewThread {
                continuation.resume(with: Swift.Result { try blockingRun(executable, arguments, environment: environment, input: input) })
            }
        }
    }

    /// Runs `executable` (a path, or a name looked up on PATH) with `arguments` and the
    /// environment `environment` merged over this process's; waits and captures both streams.
    public static func run(
        _ executable: String,
        _ arguments: [String],
        environment: [String: String] = [:],
        input: Data? = nil
    ) throws -> Result {
        try blockingRun(executable, arguments, environment: environment, input: input)
    }

    private static func blockingRun(
        _ executable: String,
        _ arguments: [String],
        environment: [String: String] = [:],
        input: Data? = nil
    ) throws -> Result {
        let process = Process()
        if executable.contains("/") {
            process.executableURL = URL(fileURLWithPath: executable)
            process.arguments = arguments
        } else {
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = [executable] + arguments
        }
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let out = ProcessLaunch.pipe(), err = ProcessLaunch.pipe(), inPipe = ProcessLaunch.pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = inPipe
        try ProcessLaunch.run(process)
        if let input { inPipe.fileHandleForWriting.write(input) }
        try inPipe.fileHandleForWriting.close()
        // Read both pipes to the end before waiting, so a chatty child never blocks on a full pipe.
        let group = DispatchGroup()
        nonisolated(unsafe) var errData = Data()
        group.enter()
        DispatchQueue.global().async {
            errData = err.fileHandleForReading.readDataToEndOfFile()
            group.leave()
        }
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        group.wait()
        process.waitUntilExit()
        return Result(
            status: process.terminationStatus,
            stdout: String(decoding: outData, as: UTF8.self),
            stderr: String(decoding: errData, as: UTF8.self)
        )
    }
}
