internal import CertCore
internal import Foundation
internal import Synchronization

/// Runs a user's hook program once: with the process's environment, stdin empty, stdout and
/// stderr captured, and a time limit after which it is terminated (then killed).
///
/// The waiting happens on threads of Dispatch's, so Swift's cooperative pool is never blocked
/// by a slow script.
struct HookProgram: Sendable {
    /// The program's path (or a name looked up on PATH).
    var path: String
    var timeout: Duration

    struct Outcome: Sendable {
        /// The exit status, or nil when the program was stopped at the time limit.
        var status: Int32?
        var stdout: String
        var stderr: String
    }

    struct StartFailed: Error {
        var reason: String
    }

    func run(_ arguments: [String]) async throws(StartFailed) -> Outcome {
        let result: Result<Outcome, StartFailed> = await withCheckedContinuation { continuation in
            DispatchQueue.global().async {
                continuation.resume(returning: Self.runBlocking(path: path, arguments: arguments, timeout: timeout))
            }
        }
        return try result.get()
    }

    private static func runBlocking(path: String, arguments: [String], timeout: Duration) -> Result<Outcome, StartFailed> {
        let process = Process()
        if path.contains("/") {
            process.executableURL = URL(fileURLWithPath: path)
            process.arguments = arguments
        } else {
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = [path] + arguments
        }
        process.environment = ProcessInfo.processInfo.environment
        let stdout = Pipe(), stderr = Pipe()
        process.standardOutput = stdout
        process.standardError = stderr
        process.standardInput = FileHandle.nullDevice
        let collected = CollectedOutput()
        let readers = DispatchGroup()
        for (pipe, isError) in [(stdout, false), (stderr, true)] {
            readers.enter()
            pipe.fileHandleForReading.readabilityHandler = { handle in
                let data = handle.availableData
                if data.isEmpty {
                    handle.readabilityHandler = nil
                    readers.leave()
                } else {
                    collected.append(data, isError: isError)
                }
            }
        }
        let exited = DispatchSemaphore(value: 0)
        process.terminationHandler = { _ in exited.signal() }
        do {
            try process.run()
        } catch {
            stdout.fileHandleForReading.readabilityHandler = nil
            stderr.fileHandleForReading.readabilityHandler = nil
            return .failure(StartFailed(reason: "\(error.localizedDescription)"))
        }
        // The pipes' write ends now belong to the child alone.
        try? stdout.fileHandleForWriting.close()
        try? stderr.fileHandleForWriting.close()

        var timedOut = false
        if exited.wait(timeout: .now() + timeout.seconds) == .timedOut {
            timedOut = true
            process.terminate()
            if exited.wait(timeout: .now() + 2) == .timedOut {
                kill(process.processIdentifier, SIGKILL)
                exited.wait()
            }
        }
        // A grandchild that kept the pipes open must not hold us up for long.
        _ = readers.wait(timeout: .now() + 1)
        let (out, err) = collected.text
        return .success(Outcome(status: timedOut ? nil : process.terminationStatus, stdout: out, stderr: err))
    }
}

/// What a hook program wrote, appended from the pipes' handler threads.
private final class CollectedOutput: Sendable {
    private let buffers = Mutex((stdout: Data(), stderr: Data()))

    /// More than any message needs: a runaway program cannot fill memory.
    private static let limit = 64 * 1024

    func append(_ data: Data, isError: Bool) {
        buffers.withLock { buffers in
            if isError {
                buffers.stderr = Self.bounded(buffers.stderr + data)
            } else {
                buffers.stdout = Self.bounded(buffers.stdout + data)
            }
        }
    }

    private static func bounded(_ data: Data) -> Data {
        data.count > limit ? data.suffix(limit) : data
    }

    var text: (String, String) {
        buffers.withLock { (String(decoding: $0.stdout, as: UTF8.self), String(decoding: $0.stderr, as: UTF8.self)) }
    }
}
