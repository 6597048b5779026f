internal import Synchronization

/// What an adapter looked up once per run (a zone's id, a domain's minimum TTL), shared by its
/// concurrent calls.
final class LookupCache: Sendable {
    private let values = Mutex<[String: String]>([:])
    func get(_ key: String) -> String? { values.withLock { $0[key] } }
    func set(_ key: String, _ value: String) { values.withLock { $0[key] = value } }
}
