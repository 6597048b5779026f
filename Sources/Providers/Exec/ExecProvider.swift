public import DNS01
internal import CertCore
internal import Foundation
internal import Logging
internal import Synchronization

/// Calls a program of the user's, exactly as lego's `exec` provider does, so existing hook
/// scripts work unchanged: `$EXEC_PATH present FQDN VALUE` and `$EXEC_PATH cleanup FQDN VALUE`,
/// with the process's environment. Only the FQDN and the TXT value (neither is secret) go into
/// the arguments.
///
/// Hook scripts are written for lego, which never runs two at once: calls through one program
/// run one after another, `EXEC_SEQUENCE_INTERVAL` apart when that is set.
///
/// With `EXEC_MODE=RAW` the program gets the ACME challenge instead, as lego passes it:
/// `$EXEC_PATH present -- DOMAIN TOKEN KEY_AUTHORIZATION` (none of them is secret).
public struct ExecProvider: DNSProviderAdapter {
    public static let code = "exec"
    /// The hook program (a path, or a name looked up on PATH).
    var path: String
    /// How long one call may run (`EXEC_TIMEOUT`).
    var timeout: Duration
    var sequenceInterval: Duration?
    var raw: Bool

    public init(settings: inout ProviderSettings) throws(ProviderError) {
        let path = settings.required("EXEC_PATH")
        let mode = settings.choice("EXEC_MODE", among: ["RAW"])
        let timeout = settings.duration("EXEC_TIMEOUT") ?? .seconds(60)
        sequenceInterval = settings.duration("EXEC_SEQUENCE_INTERVAL")
        raw = mode != nil
        if let path, path.contains("/"), !FileManager.default.isExecutableFile(atPath: path) {
            settings.problem("EXEC_PATH=\(path) is not an executable file")
        }
        try settings.validate()
        guard let path else { throw ProviderError(.configuration, provider: Self.code, "EXEC_PATH is needed") }
        self.path = path
        self.timeout = timeout
    }

    static let logger = Logger(label: "kubectl-certs.providers.exec")

    /// When each program's last call ended, for `EXEC_SEQUENCE_INTERVAL`.
    private static let lastCallEnded = Mutex<[String: ContinuousClock.Instant]>([:])

    public func present(_ record: ChallengeRecord) async throws {
        try await call("present", record)
    }

    public func cleanUp(_ record: ChallengeRecord) async throws {
        try await call("cleanup", record)
    }

    private func call(_ action: String, _ record: ChallengeRecord) async throws {
        let arguments: [String]
        if raw {
            guard let acme = record.acme, let domain = record.domain else {
                throw ProviderError(.configuration, provider: Self.code, "\(action) of TXT \"\(record.value)\" at \(record.fqdn): EXEC_MODE=RAW passes the ACME challenge, and this record has none (a `dns check` probe answers no CA); unset EXEC_MODE for probes")
            }
            arguments = [action, "--", RawChallenge.domain(domain), acme.token, acme.keyAuthorization]
        } else {
            arguments = [action, record.fqdn, record.value]
        }
        let shown = ([path] + arguments).joined(separator: " ")
        try await RecordSetLock.run("\(Self.code) \(path)") {
            if let sequenceInterval, let last = Self.lastCallEnded.withLock({ $0[path] }) {
                let wait = last + sequenceInterval - .now
                if wait > .zero {
                    Self.logger.debug("exec: waiting \(wait) (EXEC_SEQUENCE_INTERVAL) before `\(shown)`")
                    try await Task.sleep(for: wait)
                }
            }
            defer { Self.lastCallEnded.withLock { $0[path] = .now } }
            let started = ContinuousClock.now
            let output: ChildProcess.Output
            do {
                output = try await ChildProcess.run(path, arguments: arguments, environment: ProcessInfo.processInfo.environment, streams: .captureStderr, timeout: timeout)
            } catch let error as ChildProcess.TimedOut {
                Self.logger.debug("exec: `\(shown)` stopped after \(ContinuousClock.now - started)")
                throw ProviderError(.unreachable, provider: Self.code, "`\(shown)` (zone \(record.zone)) did not finish within \(timeout) and was stopped (EXEC_TIMEOUT)\(Self.said(Self.text(error.stderr)))")
            } catch {
                throw ProviderError(.configuration, provider: Self.code, "`\(shown)` (zone \(record.zone)) could not be started: \(error.localizedDescription) — check EXEC_PATH")
            }
            let stdout = Self.text(output.stdout)
            Self.logger.debug("exec: `\(shown)` -> \(output.status) in \(ContinuousClock.now - started)\(stdout.isEmpty ? "" : ": \(Self.tail(stdout))")")
            guard output.status == 0 else {
                throw ProviderError(.rejected, provider: Self.code, "`\(shown)` (zone \(record.zone)) exited with status \(output.status)\(Self.said(Self.text(output.stderr)))")
            }
        }
    }

    static func text(_ data: Data) -> String {
        String(decoding: data, as: UTF8.self)
    }

    /// ": <the end of stderr>" when the program wrote anything there.
    static func said(_ stderr: String) -> String {
        let text = tail(stderr)
        return text.isEmpty ? "" : ": \(text)"
    }

    /// The last few lines of a program's output, on one line.
    static func tail(_ text: String) -> String {
        let lines = text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        let joined = lines.suffix(5).joined(separator: " | ")
        return joined.count > 500 ? "…" + String(joined.suffix(500)) : joined
    }
}
