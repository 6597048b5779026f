/// Serializes the read-merge-write of one record set within this process, for APIs that can
/// only replace a record set whole: wildcard and apex share `_acme-challenge.<name>`, and
/// their two `present` calls run at once.
public actor RecordSetLock {
    private static let shared = RecordSetLock()
    private var held: Set<String> = []
    private var waiting: [String: [CheckedContinuation<Void, Never>]] = [:]

    /// Runs `body` while no other caller with the same `key` runs its own.
    public static func run<T: Sendable>(_ key: String, _ body: () async throws -> T) async throws -> T {
        await shared.acquire(key)
        do {
            let result = try await body()
            await shared.release(key)
            return result
        } catch {
            await shared.release(key)
            throw error
        }
    }

    private func acquire(_ key: String) async {
        guard held.contains(key) else {
            held.insert(key)
            return
        }
        await withCheckedContinuation { waiting[key, default: []].append($0) }
    }

    /// Hands the lock to the next waiter, or frees it.
    private func release(_ key: String) {
        guard var queue = waiting[key], !queue.isEmpty else {
            held.remove(key)
            return
        }
        let next = queue.removeFirst()
        waiting[key] = queue.isEmpty ? nil : queue
        next.resume()
    }
}
