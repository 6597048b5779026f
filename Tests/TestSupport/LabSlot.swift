public import Testing
import Foundation
import Synchronization

/// Bounds how many tests use the lab at once: `@Suite(.lab)` makes each of a suite's tests wait
/// for one of `LAB_TESTS_AT_ONCE` slots (six per core unless set) before its body runs.
///
/// swift-testing starts every test at once. Unbounded, the lab tests of a whole run — each with a
/// provider stand-in of its own, kubectl-certs and kubectl processes, openssl — put a load of 30 on
/// two cores and stalled servers for more than ten seconds: curl gave up on handshakes ("SSL
/// connection timeout") and HTTP-01 self-checks ran out of time, in about one clean run in three.
/// Six per core kept the load under ten and the run no longer than unbounded (about 200 s on two
/// cores); four per core took a third longer.
public struct LabSlot: SuiteTrait, TestTrait, TestScoping {
    public var isRecursive: Bool { true }

    /// Each test case takes a slot; the suite itself does not, or its tests could never get one.
    public func scopeProvider(for test: Test, testCase: Test.Case?) -> LabSlot? {
        testCase == nil ? nil : self
    }

    public func provideScope(
        for test: Test, testCase: Test.Case?, performing function: @Sendable () async throws -> Void
    ) async throws {
        await Self.slots.acquire()
        defer { Self.slots.release() }
        try await function()
    }

    static let slots = AsyncSlots(count: {
        if let text = ProcessInfo.processInfo.environment["LAB_TESTS_AT_ONCE"], let count = Int(text), count > 0 {
            return count
        }
        return 6 * ProcessInfo.processInfo.activeProcessorCount
    }())
}

extension Trait where Self == LabSlot {
    /// Runs each test of the suite in one of the lab's slots: see `LabSlot`.
    public static var lab: LabSlot { LabSlot() }
}

/// A counting semaphore for tasks: waiters are resumed first come, first served.
final class AsyncSlots: Sendable {
    private struct State {
        var free: Int
        var waiting: [CheckedContinuation<Void, Never>] = []
    }

    private let state: Mutex<State>

    init(count: Int) {
        state = Mutex(State(free: count))
    }

    func acquire() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let granted = state.withLock { state in
                guard state.free > 0 else {
                    state.waiting.append(continuation)
                    return false
                }
                state.free -= 1
                return true
            }
            if granted { continuation.resume() }
        }
    }

    /// How many tasks wait for a slot.
    var waitingCount: Int {
        state.withLock { $0.waiting.count }
    }

    func release() {
        let next = state.withLock { state -> CheckedContinuation<Void, Never>? in
            if state.waiting.isEmpty {
                state.free += 1
                return nil
            }
            return state.waiting.removeFirst()
        }
        next?.resume()
    }
}
