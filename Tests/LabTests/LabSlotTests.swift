@testable import TestSupport
import Synchronization
import Testing

/// The semaphore behind `@Suite(.lab)`: a slot is held until released, and waiters get the slots
/// freed in the order they came. The tests never await a waiter, so a broken semaphore fails them
/// instead of hanging them.
@Suite struct LabSlotTests {
    /// Which waiters got a slot, in order.
    final class Granted: Sendable {
        private let list = Mutex<[String]>([])
        func add(_ name: String) { list.withLock { $0.append(name) } }
        var names: [String] { list.withLock { $0 } }
    }

    /// Waits (ten seconds at most) until `condition` holds.
    func waitUntil(_ condition: () -> Bool) async {
        let deadline = ContinuousClock.now + .seconds(10)
        while !condition() && ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(1))
        }
    }

    /// A task that takes a slot and then says so.
    func waiter(_ name: String, _ slots: AsyncSlots, _ granted: Granted) {
        Task {
            await slots.acquire()
            granted.add(name)
        }
    }

    @Test func aTaskWaitsWhileEverySlotIsHeldAndWaitersGetFreedSlotsInTurn() async {
        let slots = AsyncSlots(count: 2)
        await slots.acquire()
        await slots.acquire()
        let granted = Granted()
        waiter("first", slots, granted)
        await waitUntil { slots.waitingCount == 1 }
        waiter("second", slots, granted)
        await waitUntil { slots.waitingCount == 2 }
        #expect(slots.waitingCount == 2)
        #expect(granted.names.isEmpty)

        slots.release()
        await waitUntil { !granted.names.isEmpty }
        #expect(granted.names == ["first"])
        #expect(slots.waitingCount == 1)

        slots.release()
        await waitUntil { granted.names.count == 2 }
        #expect(granted.names == ["first", "second"])
        #expect(slots.waitingCount == 0)
    }

    @Test func aReleasedSlotWithNoWaiterIsTakenAtOnce() async {
        let slots = AsyncSlots(count: 1)
        await slots.acquire()
        slots.release()
        let granted = Granted()
        waiter("again", slots, granted)
        await waitUntil { !granted.names.isEmpty }
        #expect(granted.names == ["again"])
        #expect(slots.waitingCount == 0)
    }
}
