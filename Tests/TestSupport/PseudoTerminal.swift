import CertCore
import Foundation
import Synchronization

/// A command run on a pseudo-terminal by util-linux's `script`: what it prints (stdout and
/// stderr together, as a terminal shows them) is collected, and text typed reaches it as keys.
public final class PseudoTerminal: Sendable {
    private let process: SpawnedProcess
    private let input: FileHandle
    private let collected = Collected()

    private final class Collected: Sendable {
        let text = Mutex("")
    }

    /// Runs `command` (a shell command line) with this process's environment merged with `environment`.
    public init(_ command: String, environment: [String: String] = [:]) throws {
        let input = ChildPipe(), output = ChildPipe()
        process = try SpawnedProcess(
            "script", arguments: ["-qfec", command, "/dev/null"],
            environment: ProcessInfo.processInfo.environment.merging(environment) { $1 },
            stdin: .input(input), stdout: .output(output), stderr: .output(output))
        self.input = input.writing
        let collected = collected
        output.drain { data in collected.text.withLock { $0 += String(decoding: data, as: UTF8.self) } }
    }

    public var output: String { collected.text.withLock { $0 }.replacingOccurrences(of: "\r\n", with: "\n") }
    public var isRunning: Bool { process.isRunning }

    /// The output once it contains `text` `count` times (waiting at most `limit`), or nil.
    public func waitFor(_ text: String, count: Int = 1, within limit: Duration = .seconds(60)) async -> String? {
        let deadline = ContinuousClock.now + limit
        // Looks before judging the deadline: a wait that wakes up late (a test task held back on
        // a busy machine) still finds what was printed meanwhile.
        while true {
            let output = output
            if output.components(separatedBy: text).count > count { return output }
            if !process.isRunning || ContinuousClock.now >= deadline { return nil }
            try? await Task.sleep(for: .milliseconds(50))
        }
    }

    public func type(_ text: String) throws {
        try input.write(contentsOf: Data(text.utf8))
    }

    public func exitStatus() async -> Int32 {
        await process.exited().status
    }

    deinit {
        try? input.close()
        process.signal(SIGTERM)
    }
}
