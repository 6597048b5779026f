internal import Foundation

/// A small fixed set of dedicated threads that run blocking work (libldns calls, which wait on
/// sockets) fed by one FIFO queue, so blocking never happens on Swift's cooperative pool.
///
/// The thread count bounds how many sockets are open at once: thousands of queries may be
/// waiting in the queue, but only `threadCount` are on the wire. A queued job whose task is
/// cancelled is dropped without running.
final class BlockingWorkPool: @unchecked Sendable {
    /// The pool every resolver and update client shares.
    static let shared = BlockingWorkPool(threadCount: 16, name: "dns01.ldns")

    private final class Job: @unchecked Sendable {
        let run: () -> Void
        let cancel: () -> Void
        var started = false   // guarded by the pool's condition
        init(run: @escaping () -> Void, cancel: @escaping () -> Void) {
            self.run = run
            self.cancel = cancel
        }
    }

    private let condition = NSCondition()
    private var queue: [Job] = []
    private var head = 0
    let threadCount: Int

    init(threadCount: Int, name: String) {
        self.threadCount = threadCount
        for index in 0..<threadCount {
            let thread = Thread { [self] in self.workerLoop() }
            thread.name = "\(name).\(index)"
            thread.stackSize = 512 * 1024
            thread.start()
        }
    }

    /// Runs `work` on one of the pool's threads and returns its result.
    func run<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        let box = JobBox()
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
                let job = Job(
                    run: { continuation.resume(with: Result { try work() }) },
                    cancel: { continuation.resume(throwing: CancellationError()) }
                )
                condition.lock()
                if box.cancelled {
                    condition.unlock()
                    job.cancel()
                    return
                }
                box.job = job
                queue.append(job)
                condition.signal()
                condition.unlock()
            }
        } onCancel: {
            condition.lock()
            box.cancelled = true
            let job = box.job
            var drop = false
            if let job, !job.started {
                job.started = true   // the worker will skip it
                drop = true
            }
            condition.unlock()
            if drop, let job { job.cancel() }
        }
    }

    private final class JobBox: @unchecked Sendable {
        var job: Job?        // guarded by the pool's condition
        var cancelled = false
    }

    private func workerLoop() {
        while true {
            condition.lock()
            while head >= queue.count { condition.wait() }
            let job = queue[head]
            head += 1
            if head > 1024, head * 2 > queue.count {
                queue.removeFirst(head)
                head = 0
            }
            let skip = job.started
            job.started = true
            condition.unlock()
            if !skip { job.run() }
        }
    }
}
