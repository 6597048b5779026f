public import Foundation

/// A child process started with `posix_spawn`, safely from any thread at any time.
///
/// Foundation's `Process` is not used: on Linux its `run()` crashed when called from several
/// threads at once, and a child it starts keeps every descriptor the parent had open without
/// close-on-exec (a file another thread was writing, a pipe meant for another child). Here the
/// child keeps only its stdin, stdout and stderr, starts with no signal blocked and the default
/// action for every signal, and is reaped by a thread of its own.
public final class SpawnedProcess: Sendable {
    /// Where one of the child's standard streams comes from or goes.
    public enum Stream: Sendable {
        /// This process's own stream.
        case inherit
        /// `/dev/null`.
        case null
        /// A descriptor of this process's (an open file), duplicated into place.
        case descriptor(Int32)
        /// The child reads the pipe (for stdin); our copy of its reading end is closed once the
        /// child has started.
        case input(ChildPipe)
        /// The child writes into the pipe (for stdout or stderr); our copy of its writing end is
        /// closed once the child has started, so that reading ends when the child's output does.
        case output(ChildPipe)
    }

    /// How the child ended: the code it exited with, or the signal that killed it.
    public enum Termination: Sendable, Equatable {
        case exited(Int32)
        case signalled(Int32)

        /// The exit code, or the signal's number.
        public var status: Int32 {
            switch self {
            case .exited(let code), .signalled(let code): code
            }
        }
    }

    /// The program could not be started; `reason` is the system's own words.
    public struct StartFailed: LocalizedError, CustomStringConvertible {
        public var program: String
        public var code: Int32
        public var reason: String { String(cString: strerror(code)) }
        public var description: String { "\(program): \(reason)" }
        public var errorDescription: String? { description }
    }

    public let pid: pid_t
    private let ended = Ending()

    /// Starts `executable` (a path, or a name looked up on the `PATH` of `environment`) with
    /// `arguments` and exactly `environment`. With `newProcessGroup` the child leads a group of
    /// its own, which `signalGroup` reaches with everything it started.
    public init(
        _ executable: String,
        arguments: [String],
        environment: [String: String],
        stdin: Stream = .null,
        stdout: Stream = .inherit,
        stderr: Stream = .inherit,
        newProcessGroup: Bool = false
    ) throws(StartFailed) {
        guard let path = Self.resolve(executable, path: environment["PATH"]) else {
            throw StartFailed(program: executable, code: ENOENT)
        }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        for (stream, target) in [(stdin, Int32(0)), (stdout, 1), (stderr, 2)] {
            switch stream {
            case .inherit: break
            case .null: posix_spawn_file_actions_addopen(&actions, target, "/dev/null", target == 0 ? O_RDONLY : O_WRONLY, 0)
            case .descriptor(let fd): posix_spawn_file_actions_adddup2(&actions, fd, target)
            case .input(let pipe): posix_spawn_file_actions_adddup2(&actions, pipe.reading.fileDescriptor, target)
            case .output(let pipe): posix_spawn_file_actions_adddup2(&actions, pipe.writing.fileDescriptor, target)
            }
        }
        if let closeFrom = Self.closeFrom { _ = closeFrom(&actions, 3) }

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var none = sigset_t(), reset = sigset_t()
        sigemptyset(&none)
        sigemptyset(&reset)
        for number in [SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGPIPE, SIGCHLD, SIGALRM, SIGUSR1, SIGUSR2, SIGTSTP, SIGTTIN, SIGTTOU] {
            sigaddset(&reset, number)
        }
        posix_spawnattr_setsigmask(&attributes, &none)
        posix_spawnattr_setsigdefault(&attributes, &reset)
        var flags = Int32(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF)
        if newProcessGroup {
            flags |= Int32(POSIX_SPAWN_SETPGROUP)
            posix_spawnattr_setpgroup(&attributes, 0)
        }
        posix_spawnattr_setflags(&attributes, Int16(flags))

        let argv = Self.cStrings([executable] + arguments)
        let envp = Self.cStrings(environment.map { "\($0.key)=\($0.value)" })
        defer { for pointer in argv + envp { free(pointer) } }
        var pid = pid_t()
        var result: Int32 = 0
        // A program written a moment ago may still be open for writing in a child another thread
        // is starting (until that child closes what it inherited): the kernel says ETXTBSY for
        // that instant, so the start is tried again a few times.
        for attempt in 0..<20 {
            result = posix_spawn(&pid, path, &actions, &attributes, argv + [nil], envp + [nil])
            guard result == ETXTBSY else { break }
            usleep(useconds_t(5_000 * (attempt + 1)))
        }
        guard result == 0 else { throw StartFailed(program: executable, code: result) }
        // Each end once: one pipe may take both stdout and stderr.
        var ends: [FileHandle] = []
        for stream in [stdin, stdout, stderr] {
            switch stream {
            case .input(let pipe): ends.append(pipe.reading)
            case .output(let pipe): ends.append(pipe.writing)
            case .inherit, .null, .descriptor: break
            }
        }
        for (index, end) in ends.enumerated() where !ends[..<index].contains(where: { $0 === end }) {
            try? end.close()
        }
        self.pid = pid
        let ended = ended, child = pid
        Thread.detachNewThread {
            var status: Int32 = 0
            while waitpid(child, &status, 0) == -1 && errno == EINTR {}
            // The wait status's layout (<sys/wait.h>): the low seven bits are the signal that
            // ended the child, 0 when it exited; the next eight are its exit code.
            let signal = status & 0x7f
            ended.finish(signal == 0 ? .exited((status >> 8) & 0xff) : .signalled(signal))
        }
    }

    public var isRunning: Bool { ended.termination == nil }

    /// How it ended, once it has.
    public var termination: Termination? { ended.termination }

    /// Blocks the calling thread until the child has ended.
    @discardableResult
    public func waitUntilExit() -> Termination { ended.wait() }

    /// Suspends the caller, holding no thread, until the child has ended.
    @discardableResult
    public func exited() async -> Termination {
        await withCheckedContinuation { continuation in ended.notify { continuation.resume(returning: $0) } }
    }

    /// Sends `number` to the child, unless it has already ended (its pid may be someone else's by then).
    public func signal(_ number: Int32) {
        ended.whileRunning { kill(pid, number) }
    }

    /// Sends `number` to the child's process group (see `newProcessGroup`).
    public func signalGroup(_ number: Int32) {
        ended.whileRunning { kill(-pid, number) }
    }

    /// The child's end, with whoever waits for it.
    private final class Ending: Sendable {
        private struct State {
            var termination: Termination?
            var waiters: [@Sendable (Termination) -> Void] = []
        }
        private let condition = NSCondition()
        nonisolated(unsafe) private var state = State()

        var termination: Termination? { condition.withLock { state.termination } }

        func finish(_ termination: Termination) {
            let waiters = condition.withLock {
                state.termination = termination
                defer { state.waiters = [] }
                condition.broadcast()
                return state.waiters
            }
            for waiter in waiters { waiter(termination) }
        }

        func wait() -> Termination {
            condition.withLock {
                while state.termination == nil { condition.wait() }
                return state.termination!
            }
        }

        func notify(_ waiter: @escaping @Sendable (Termination) -> Void) {
            let known = condition.withLock {
                if state.termination == nil { state.waiters.append(waiter) }
                return state.termination
            }
            if let known { waiter(known) }
        }

        /// Runs `body` while the child is known not to have been reaped.
        func whileRunning(_ body: () -> Void) {
            condition.withLock { if state.termination == nil { body() } }
        }
    }

    /// glibc's `posix_spawn_file_actions_addclosefrom_np` (2.34 and later), which Swift's Glibc
    /// module does not declare: looked up once, by name.
    private typealias CloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32
    private static let closeFrom: CloseFrom? = dlsym(nil, "posix_spawn_file_actions_addclosefrom_np").map {
        unsafeBitCast($0, to: CloseFrom.self)
    }

    private static func cStrings(_ strings: [String]) -> [UnsafeMutablePointer<CChar>?] {
        strings.map { strdup($0) }
    }

    /// `executable` itself when it names a path, else the first executable file of that name
    /// in `path`'s directories.
    static func resolve(_ executable: String, path: String?) -> String? {
        if executable.contains("/") { return executable }
        for directory in (path ?? "/usr/local/bin:/usr/bin:/bin").split(separator: ":") {
            let candidate = "\(directory)/\(executable)"
            if access(candidate, X_OK) == 0 { return candidate }
        }
        return nil
    }
}

/// A pipe whose ends no child inherits unless it is given one of them as a standard stream.
public struct ChildPipe: Sendable {
    public let reading: FileHandle
    public let writing: FileHandle

    public init() {
        var ends: [Int32] = [0, 0]
        precondition(pipe(&ends) == 0, "no pipe: \(String(cString: strerror(errno)))")
        // (A child started between these two calls closes what it inherits: see `closeFrom`.)
        for end in ends { _ = fcntl(end, F_SETFD, FD_CLOEXEC) }
        reading = FileHandle(fileDescriptor: ends[0], closeOnDealloc: true)
        writing = FileHandle(fileDescriptor: ends[1], closeOnDealloc: true)
    }

    /// Reads `reading` to its end on a thread of its own, handing each chunk to `received`;
    /// `finished` runs after the last.
    public func drain(_ received: @escaping @Sendable (Data) -> Void, finished: @escaping @Sendable () -> Void = {}) {
        let reading = reading
        Thread.detachNewThread {
            var buffer = [UInt8](repeating: 0, count: 65536)
            while true {
                let count = buffer.withUnsafeMutableBytes { read(reading.fileDescriptor, $0.baseAddress, $0.count) }
                if count < 0 && errno == EINTR { continue }
                if count <= 0 { break }
                received(Data(buffer[0..<count]))
            }
            finished()
        }
    }
}
