/// The exit codes of the command surface; scripts and CI rely on them.
enum ExitStatus: Int32 {
    case ok = 0
    case error = 1
    case usage = 2
    case problemsFound = 3
    case accessRefused = 4
    case acmeRefused = 5
    case propagationTimedOut = 6
    case interrupted = 130
}

/// A failure the CLI reports on stderr as `error: <message>` and exits with its status.
struct CommandFailure: Error {
    var message: String
    var exitStatus: ExitStatus = .error
}
