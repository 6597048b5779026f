import Foundation

/// Runs a program without blocking Swift's cooperative pool: the wait happens on a thread
/// of Dispatch's, and the caller's task is resumed with the result.
enum ChildProcess {
    struct Output: Sendable {
        var status: Int32
        var stdout: Data
    }

    /// Runs `executable` (a path, or a name looked up on PATH) with `environment` (complete),
    /// capturing stdout. With `interactive`, stdin and stderr are the user's terminal;
    /// otherwise stdin is empty and stderr is passed through.
    static func run(_ executable: String, arguments: [String], environment: [String: String], interactive: Bool) async throws -> Output {
        try await withCheckedThrowingContinuation { continuation in
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
                    continuation.resume(throwing: error)
                    return
                }
                let data = stdout.fileHandleForReading.readDataToEndOfFile()
                process.waitUntilExit()
                continuation.resume(returning: Output(status: process.terminationStatus, stdout: data))
            }
        }
    }
}
