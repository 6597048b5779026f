import Foundation
public import CertCore

/// A command running in the background whose stdout and stderr are collected, which can be
/// signalled — and signalled the moment a text appears on its stderr, from the thread that
/// reads the pipe, so the signal does not wait for a test task to be scheduled on a busy pool.
public final class RunningCommand: @unchecked Sendable {
    public let process: SpawnedProcess
    private let lock = NSLock()
    private var errorText = ""
    private var outputText = ""
    private var streamsEnded = 0
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
        let err = ChildPipe(), out = ChildPipe()
        process = try SpawnedProcess(
            "/usr/bin/env", arguments: command,
            environment: ProcessInfo.processInfo.environment.merging(environment) { $1 },
            stdout: .output(out), stderr: .output(err))
        err.drain({ [weak self] in self?.received($0) }, finished: { [weak self] in self?.streamEnded() })
        out.drain({ [weak self] data in self?.lock.withLock { self?.outputText += String(decoding: data, as: UTF8.self) } },
                  finished: { [weak self] in self?.streamEnded() })
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

    private func streamEnded() {
        lock.withLock { streamsEnded += 1 }
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
        process.signal(number)
    }

    /// The exit status (or the signal's number), once the command has ended and everything it
    /// wrote has been read (or 2 s have passed: a grandchild may hold its streams open).
    public func wait() async -> Int32 {
        let status = await process.exited().status
        let deadline = ContinuousClock.now + .seconds(2)
        while lock.withLock({ streamsEnded }) < 2 && ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(10))
        }
        return status
    }
}
