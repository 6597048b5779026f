import Dispatch
import Foundation
import Synchronization

/// Runs work so that Ctrl-C (SIGINT) or SIGTERM cancels it rather than killing the process:
/// the cleanup of DNS-01 records and HTTP-01 solvers runs, and then the command exits 130,
/// saying what was not removed. A second signal exits 130 at once, naming what may remain.
enum Interruption {
    static func run<T: Sendable>(outstanding: OutstandingRecords, _ work: @escaping @Sendable () async throws -> T) async throws -> T {
        let task = Task { try await work() }
        let received = SignalCount()
        let signals = [SIGINT, SIGTERM].map { number -> any DispatchSourceSignal in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler {
                let count = received.increment()
                if count == 1 {
                    FileHandle.standardError.write(Data("\ninterrupted: removing what this run published for its challenges… (interrupt again to exit without waiting)\n".utf8))
                    task.cancel()
                } else {
                    let left = outstanding.summary.map { "; these may remain: \($0)" } ?? ""
                    FileHandle.standardError.write(Data("\ninterrupted again: exiting without waiting for cleanup\(left)\n".utf8))
                    exit(ExitStatus.interrupted.rawValue)
                }
            }
            source.resume()
            return source
        }
        defer { signals.forEach { $0.cancel() } }
        do {
            return try await task.value
        } catch {
            if task.isCancelled {
                if let left = outstanding.summary {
                    throw CommandFailure(message: "interrupted; not removed: \(left)", exitStatus: .interrupted)
                }
                throw CommandFailure(message: "interrupted; what this run published for its challenges (DNS records, HTTP-01 solvers) was removed", exitStatus: .interrupted)
            }
            throw error
        }
    }
}

/// How many signals arrived, shared with the signal handlers.
private final class SignalCount: Sendable {
    private let count = Mutex(0)

    func increment() -> Int {
        count.withLock { count in
            count += 1
            return count
        }
    }
}
