import Dispatch
import Foundation

/// Runs work so that Ctrl-C (SIGINT) or SIGTERM cancels it rather than killing the process:
/// the DNS-01 solver's cleanup runs, and then the command exits 130.
enum Interruption {
    static func run<T: Sendable>(_ work: @escaping @Sendable () async throws -> T) async throws -> T {
        let task = Task { try await work() }
        let signals = [SIGINT, SIGTERM].map { number -> any DispatchSourceSignal in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler {
                FileHandle.standardError.write(Data("\ninterrupted: removing published challenge records…\n".utf8))
                task.cancel()
            }
            source.resume()
            return source
        }
        defer { signals.forEach { $0.cancel() } }
        do {
            return try await task.value
        } catch {
            if task.isCancelled {
                throw CommandFailure(message: "interrupted; the challenge records this run published were removed", exitStatus: .interrupted)
            }
            throw error
        }
    }
}
