import Foundation
import Logging

/// Logs how long each named step of a workflow took, at info level (`-v`), and the total.
struct StepTimer {
    var subject: String
    private let started = ContinuousClock.now
    private static let logger = Logger(label: "kubectl-certs.steps")

    init(subject: String) {
        self.subject = subject
    }

    func callAsFunction<T>(_ name: String, _ body: () async throws -> T) async rethrows -> T {
        let stepStarted = ContinuousClock.now
        defer { Self.logger.info("\(subject): \(name) took \(Self.seconds(ContinuousClock.now - stepStarted)) s") }
        return try await body()
    }

    func finish() {
        Self.logger.info("\(subject): done in \(Self.seconds(ContinuousClock.now - started)) s")
    }

    private static func seconds(_ duration: Duration) -> String {
        String(format: "%.3f", duration.seconds)
    }
}
