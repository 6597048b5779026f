import Foundation

/// The run that holds a pending order: its host and process, with the process's start (boot
/// and start time), so that a later run on the same host can tell a live run — which it must
/// leave alone — from a killed one, whose order it resumes. A run on another host cannot be
/// checked; its order is resumed as before.
struct RunHolder: Codable, Sendable, Equatable {
    var host: String
    var pid: Int32
    /// The boot and the process's start time on it; nil where the system does not tell.
    var started: String?

    /// This process.
    static let current = RunHolder(host: hostName(), pid: getpid(), started: startMark(of: getpid()))

    /// Whether this holder is a process still running on this host (and not one that merely
    /// got the same pid later, nor a killed one not yet reaped).
    var isRunningHere: Bool {
        guard host == Self.current.host, pid != getpid(), let started else { return false }
        return Self.startMark(of: pid) == started
    }

    private static func hostName() -> String {
        var buffer = [CChar](repeating: 0, count: 256)
        guard gethostname(&buffer, buffer.count - 1) == 0 else { return "" }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// The boot id and the process's start time in clock ticks since boot (Linux `/proc`); nil
    /// for a process that is gone or a zombie.
    private static func startMark(of pid: Int32) -> String? {
        guard let boot = try? String(contentsOfFile: "/proc/sys/kernel/random/boot_id", encoding: .utf8),
              let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let afterName = stat.range(of: ")", options: .backwards) else { return nil }
        // Fields after the command name start with field 3 (state); the start time is field 22.
        let fields = stat[afterName.upperBound...].split(separator: " ")
        guard fields.count > 19, fields[0] != "Z", fields[0] != "X" else { return nil }
        return boot.trimmingCharacters(in: .whitespacesAndNewlines) + ":" + fields[19]
    }
}
