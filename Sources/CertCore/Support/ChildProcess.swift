import Foundation
import Synchronization

/// Runs a program without blocking Swift's cooperative pool: the wait happens on a thread
/// of Dispatch's, and the caller's task is resumed with the result.
enum ChildProcess {
    struct Output: Sendable {
        var status: Int32
        var stdout: Data
    }

    /// The program ran longer than it was given and was killed, with everything it started.
    struct TimedOut: Error, Sendable {
        var limit: Duration
    }

    /// Runs `executable` (a path, or a name looked up on PATH) with `environment` (complete),
    /// capturing stdout. With `interactive`, stdin and stderr are the user's terminal;
    /// otherwise stdin is empty and stderr is passed through. After `timeout` the program's
    /// process group (Foundation starts each child in a group of its own) is killed and
    /// `TimedOut` thrown.
    static func run(_ executable: String, arguments: [String], environment: [String: String], interactive: Bool, timeout: Duration) async throws -> Output {
        try await withCheckedThrowingContinuation { continuation in
            let outcome = Outcome(continuation)
            DispatchQueue.global().async {
                let process = Process()
                if executable.contains("/") {
                    process.executableURL = URL(fileURLWithPath: executable)
                    process.arguments = arguments
                } else {
                    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
                    process.arguments = [executable] + arguments
                }
                process.environment = environment
                let stdout = Pipe()
                process.standardOutput = stdout
                process.standardError = FileHandle.standardError
                process.standardInput = interactive ? FileHandle.standardInput : FileHandle.nullDevice
                do {
                    try process.run()
                } catch {
                    outcome.finish(.failure(error))
                    return
                }
                let group = process.processIdentifier
                let deadline = DispatchWorkItem {
                    guard outcome.finish(.failure(TimedOut(limit: timeout))) else { return }
                    // The whole group: a shell script's children hold stdout open too.
                    kill(-group, SIGKILL)
                }
                DispatchQueue.global().asyncAfter(deadline: .now() + .milliseconds(timeout.milliseconds), execute: deadline)
                let data = stdout.fileHandleForReading.readDataToEndOfFile()
                process.waitUntilExit()
                deadline.cancel()
                outcome.finish(.success(Output(status: process.terminationStatus, stdout: data)))
            }
        }
    }

    /// Resumes the caller once: with the program's output, or with the timeout, whichever
    /// comes first.
    private final class Outcome: Sendable {
        private let continuation: Mutex<CheckedContinuation<Output, any Error>?>

        init(_ continuation: CheckedContinuation<Output, any Error>) {
            self.continuation = Mutex(continuation)
        }

        /// Whether this call was the one that resumed the caller.
        @discardableResult
        func finish(_ result: Result<Output, any Error>) -> Bool {
            guard let continuation = continuation.withLock({ slot in defer { slot = nil }; return slot }) else { return false }
            continuation.resume(with: result)
            return true
        }
    }
}
