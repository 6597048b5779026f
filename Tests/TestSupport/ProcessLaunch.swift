public import Foundation

/// Starts child processes one at a time, each with no signal blocked.
///
/// - Foundation's `Process.run()` on Linux is not safe to call from several threads at once (a
///   full parallel test run crashed in it, copying memory another launch had freed); the
///   launches are short, the waits stay parallel.
/// - A child inherits the signal mask of the thread that starts it, and the threads of
///   Dispatch and Swift's concurrency pool block nearly every signal: a server started from one
///   ignored the SIGTERM that should stop it, and a command the test interrupts ignored SIGINT.
///   The mask is cleared around the launch.
/// - Every pipe to a child is made close-on-exec under the same lock, so that no other child
///   started meanwhile inherits it: a server started at that moment kept a test's pipe open,
///   and the test waited forever for its end.
public enum ProcessLaunch {
    private static let lock = NSLock()

    /// A pipe neither of whose ends a child started later inherits (only the end given to a
    /// child as its stdin, stdout or stderr reaches that child).
    public static func pipe() -> Pipe {
        lock.withLock {
            let pipe = Pipe()
            for handle in [pipe.fileHandleForReading, pipe.fileHandleForWriting] {
                _ = fcntl(handle.fileDescriptor, F_SETFD, FD_CLOEXEC)
            }
            return pipe
        }
    }

    public static func run(_ process: Process) throws {
        try lock.withLock {
            var none = sigset_t(), previous = sigset_t()
            sigemptyset(&none)
            pthread_sigmask(SIG_SETMASK, &none, &previous)
            defer { pthread_sigmask(SIG_SETMASK, &previous, nil) }
            try process.run()
        }
    }
}
