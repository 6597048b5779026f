public import Foundation

/// A command running in the background whose stdout and stderr are collected, which can be
/// signalled — and signalled the moment a text appears on its stderr, from the thread that
/// reads the pipe, so the signal does not wait for a test task to be scheduled on a busy pool.
public final class RunningCommand: @unchecked Sendable {
    public let process = Process()
    private let lock = NSLock()
    private var errorText = ""
    private var outputText = ""
    /// The text whose `count`-th appearance on stderr sends `signal`, once.
    public struct SignalOn: Sendable {
        public var text: String
        public var count: Int
        public var signal: Int32
        public init(_ text: String, count: Int = 1, signal: Int32) {
            self.text = text
            self.count = count
            self.signal = signal
        }
    }

    /// Triggers still to fire, in order: each waits for the one before it.
    private var pending: [SignalOn]

    public convenience init(_ command: [String], environment: [String: String], signalOn: SignalOn? = nil) throws {
        try self.init(command, environment: environment, signals: signalOn.map { [$0] } ?? [])
    }

    /// `signals` fire one after another: the second is looked for only once the first has fired.
    public init(_ command: [String], environment: [String: String], signals: [SignalOn]) throws {
        self.pending = signals
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = command
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let err = ProcessLaunch.pipe(), out = ProcessLaunch.pipe()
        process.standardError = err
        process.standardOutput = out
        err.fileHandleForReading.readabilityHandler = { [weak self] handle in
            let data = handle.availableData
            if data.isEmpty { handle.readabilityHandler = nil; return }
            self?.received(data)
        }
        out.fileHandleForReading.readabilityHandler = { [weak self] handle in
            let data = handle.availableData
            if data.isEmpty { handle.readabilityHandler = nil; return }
            self?.lock.withLock { self?.outputText += String(decoding: data, as: UTF8.self) }
        }
        try ProcessLaunch.run(process)
    }

    private func received(_ data: Data) {
        let send = lock.withLock { () -> [Int32] in
            errorText += String(decoding: data, as: UTF8.self)
            var due: [Int32] = []
            while let next = pending.first, errorText.components(separatedBy: next.text).count > next.count {
                due.append(next.signal)
                pending.removeFirst()
            }
            return due
        }
        for number in send { signal(number) }
    }

    public var stderr: String { lock.withLock { errorText } }
    public var stdout: String { lock.withLock { outputText } }

    /// Waits (bounded) until stderr contains `text`; false when the command ended without it.
    public func waitFor(_ text: String, seconds: Double = 90) async throws -> Bool {
        try await waitForLine(seconds: seconds) { $0.contains(text) }
    }

    /// Waits (bounded) until a line of stderr satisfies `matches`.
    public func waitForLine(seconds: Double = 90, where matches: (Substring) -> Bool) async throws -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            let running = process.isRunning
            if stderr.split(separator: "\n").contains(where: matches) { return true }
            if !running { return false }
            try await Task.sleep(for: .milliseconds(20))
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
