import Foundation

/// A command running in the background whose stderr can be watched and which can be
/// signalled.
public final class RunningCommand: @unchecked Sendable {
    private let process = Process()
    private let lock = NSLock()
    private var errorText = ""

    public init(_ command: [String], environment: [String: String]) throws {
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = command
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let err = Pipe()
        process.standardError = err
        process.standardOutput = FileHandle.nullDevice
        err.fileHandleForReading.readabilityHandler = { [weak self] handle in
            let data = handle.availableData
            if data.isEmpty { handle.readabilityHandler = nil; return }
            self?.lock.withLock { self?.errorText += String(decoding: data, as: UTF8.self) }
        }
        try process.run()
    }

    public var stderr: String { lock.withLock { errorText } }

    /// Waits (bounded) until stderr contains `text`.
    public func waitFor(_ text: String, seconds: Double = 60) async throws -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if stderr.contains(text) { return true }
            if !process.isRunning { return stderr.contains(text) }
            try await Task.sleep(for: .milliseconds(50))
        }
        return false
    }

    /// Sends a signal to kubectl's child, the plugin itself (kubectl execs it, so it is the same process).
    public func signal(_ number: Int32) {
        kill(process.processIdentifier, number)
    }

    public func wait() async -> Int32 {
        while process.isRunning { try? await Task.sleep(for: .milliseconds(50)) }
        return process.terminationStatus
    }
}
