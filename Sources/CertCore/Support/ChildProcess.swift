public import Foundation
import Synchronization

/// Runs a program without blocking Swift's cooperative pool: the wait happens on a thread of
/// Dispatch's, and the caller's task is resumed with the result. Used for kubeconfig exec
/// credential plugins and for the exec DNS provider's hook programs.
public enum ChildProcess {
    public struct Output: Sendable {
        public var status: Int32
        public var stdout: Data
        /// What the program wrote to stderr, when it was captured (the end of it, at most 64 KiB).
        public var stderr: Data
    }

    /// The program ran longer than it was given and was killed, with everything it started.
    public struct TimedOut: Error, Sendable {
        public var limit: Duration
        /// What it had written to stderr by then, when captured.
        public var stderr: Data
    }

    /// Where the program's stdin and stderr go.
    public enum Streams: Sendable {
        /// stdin and stderr are the user's terminal (an interactive credential plugin).
        case interactive
        /// stdin is empty; stderr is passed through to ours.
        case passStderr
        /// stdin is empty; stderr is captured for the caller.
        case captureStderr
    }

    /// Runs `executable` (a path, or a name looked up on the `PATH` of `environment`) with
    /// `environment` (complete), capturing stdout. After `timeout` the program is killed (with
    /// everything it started, unless it is interactive: it then shares our process group, so
    /// that it may read the terminal) and `TimedOut` thrown; a program that cannot be started
    /// throws `SpawnedProcess.StartFailed`.
    public static func run(_ executable: String, arguments: [String], environment: [String: String], streams: Streams, timeout: Duration) async throws -> Output {
        try await withCheckedThrowingContinuation { continuation in
            let outcome = Outcome(continuation)
            DispatchQueue.global().async {
                let stdout = ChildPipe()
                let stderr = streams == .captureStderr ? ChildPipe() : nil
                let process: SpawnedProcess
                do {
                    process = try SpawnedProcess(
                        executable, arguments: arguments, environment: environment,
                        stdin: streams == .interactive ? .inherit : .null,
                        stdout: .output(stdout),
                        stderr: stderr.map { .output($0) } ?? .inherit,
                        newProcessGroup: streams != .interactive)
                } catch {
                    outcome.finish(.failure(error))
                    return
                }
                let captured = CapturedStderr()
                let reading = DispatchGroup()
                if let stderr {
                    reading.enter()
                    stderr.drain(captured.append, finished: reading.leave)
                }
                let deadline = DispatchWorkItem {
                    guard outcome.finish(.failure(TimedOut(limit: timeout, stderr: captured.data))) else { return }
                    // The whole group: a shell script's children hold stdout open too.
                    if streams == .interactive { process.signal(SIGKILL) } else { process.signalGroup(SIGKILL) }
                }
                DispatchQueue.global().asyncAfter(deadline: .now() + .milliseconds(timeout.milliseconds), execute: deadline)
                let data = stdout.reading.readDataToEndOfFile()
                let termination = process.waitUntilExit()
                // A grandchild that kept stderr open must not hold us up for long.
                _ = reading.wait(timeout: .now() + 1)
                deadline.cancel()
                outcome.finish(.success(Output(status: termination.status, stdout: data, stderr: captured.data)))
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

    /// The end of a program's stderr: a runaway program cannot fill memory.
    private final class CapturedStderr: Sendable {
        private let buffer = Mutex(Data())
        private static let limit = 64 * 1024

        func append(_ chunk: Data) {
            buffer.withLock { data in
                data += chunk
                if data.count > Self.limit { data = data.suffix(Self.limit) }
            }
        }

        var data: Data { buffer.withLock { $0 } }
    }
}
