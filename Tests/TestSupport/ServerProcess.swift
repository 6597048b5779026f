import CertCore
import Foundation
import Synchronization

/// A server a test starts for itself: it prints `READY <port>` on stdout when it listens,
/// and exits when the test lets go of it (its stdin closes; it is also terminated).
public final class ServerProcess: Sendable {
    public struct StartupFailed: Error, CustomStringConvertible {
        public var description: String
    }

    public let port: Int
    private let process: SpawnedProcess
    private let stdin: FileHandle
    private let output: TextBuffer

    /// Starts the server and waits (bounded) for its READY line on a thread of its own: tests run
    /// in parallel on Swift's cooperative pool (two threads on a two-core machine), and a wait
    /// there would stall every other test meanwhile.
    public convenience init(_ executable: String, _ arguments: [String]) async throws {
        let started = try await withCheckedThrowingContinuation { continuation in
            Thread.detachNewThread {
                continuation.resume(with: Result { try Started(executable, arguments) })
            }
        }
        self.init(started)
    }

    /// The same, waiting on the calling thread: only for code that cannot wait asynchronously.
    public convenience init(waitingOnThisThread executable: String, _ arguments: [String]) throws {
        self.init(try Started(executable, arguments))
    }

    private init(_ started: Started) {
        port = started.port
        process = started.process
        stdin = started.stdin
        output = started.output
    }

    /// A server that printed READY.
    private struct Started: Sendable {
        let port: Int
        let process: SpawnedProcess
        let stdin: FileHandle
        let output: TextBuffer

        init(_ executable: String, _ arguments: [String]) throws {
            let stdin = ChildPipe(), stdout = ChildPipe(), stderr = ChildPipe()
            let process = try SpawnedProcess(
                executable, arguments: arguments, environment: ProcessInfo.processInfo.environment,
                stdin: .input(stdin), stdout: .output(stdout), stderr: .output(stderr))
            let output = TextBuffer()
            let errors = TextBuffer()
            stdout.drain(output.append)
            stderr.drain(errors.append)

            let deadline = Date().addingTimeInterval(15)
            var port: Int?
            while port == nil && Date() < deadline && process.isRunning {
                port = output.lines.first { $0.hasPrefix("READY ") }.flatMap { Int($0.dropFirst(6)) }
                if port == nil { Thread.sleep(forTimeInterval: 0.02) }
            }
            guard let port else {
                process.signal(SIGKILL)
                throw StartupFailed(description: "\(executable) \(arguments.joined(separator: " ")) did not start: \(errors.lines.joined(separator: "\n"))")
            }
            self.port = port
            self.process = process
            self.stdin = stdin.writing
            self.output = output
        }
    }

    /// Every line the server printed so far.
    public var outputLines: [String] {
        output.lines
    }

    deinit {
        try? stdin.close()
        process.signal(SIGTERM)
        // A server that does not stop on SIGTERM within two seconds is killed: a test's end
        // must never wait on it.
        let deadline = Date().addingTimeInterval(2)
        while process.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.02) }
        process.signal(SIGKILL)
        process.waitUntilExit()
    }
}

/// Text a child process writes, collected from its pipe's handler thread.
private final class TextBuffer: Sendable {
    private let text = Mutex("")

    func append(_ data: Data) {
        text.withLock { $0 += String(decoding: data, as: UTF8.self) }
    }

    var lines: [String] {
        text.withLock { $0.split(separator: "\n").map(String.init) }
    }
}
