import Foundation
import Synchronization

/// A command run on a pseudo-terminal by util-linux's `script`: what it prints (stdout and
/// stderr together, as a terminal shows them) is collected, and text typed reaches it as keys.
public final class PseudoTerminal: Sendable {
    private let process: Process
    private let input: Pipe
    private let collected = Collected()

    private final class Collected: Sendable {
        let text = Mutex("")
    }

    /// Runs `command` (a shell command line) with this process's environment merged with `environment`.
    public init(_ command: String, environment: [String: String] = [:]) throws {
        process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["script", "-qfec", command, "/dev/null"]
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        input = ProcessLaunch.pipe()
        let output = ProcessLaunch.pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = output
        let collected = collected
        output.fileHandleForReading.readabilityHandler = { handle in
            let data = handle.availableData
            if data.isEmpty { handle.readabilityHandler = nil }
            collected.text.withLock { $0 += String(decoding: data, as: UTF8.self) }
        }
        try ProcessLaunch.run(process)
    }

    public var output: String { collected.text.withLock { $0 }.replacingOccurrences(of: "\r\n", with: "\n") }
    public var isRunning: Bool { process.isRunning }

    /// The output once it contains `text` `count` times (waiting at most 60 s), or nil.
    public func waitFor(_ text: String, count: Int = 1) async -> String? {
        let deadline = ContinuousClock.now + .seconds(60)
        while ContinuousClock.now < deadline {
            if output.components(separatedBy: text).count > count { return output }
            if !process.isRunning { return output.components(separatedBy: text).count > count ? output : nil }
            try? await Task.sleep(for: .milliseconds(50))
        }
        return nil
    }

    public func type(_ text: String) throws {
        try input.fileHandleForWriting.write(contentsOf: Data(text.utf8))
    }

    public func exitStatus() async -> Int32 {
        while process.isRunning { try? await Task.sleep(for: .milliseconds(50)) }
        return process.terminationStatus
    }

    deinit {
        try? input.fileHandleForWriting.close()
        if process.isRunning { process.terminate() }
    }
}
