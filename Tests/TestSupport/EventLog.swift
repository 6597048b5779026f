import Foundation

/// Collects events from concurrent callbacks, in the order they arrive.
public final class EventLog<Event: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var list: [Event] = []

    public init() {}

    public func append(_ event: Event) { lock.withLock { list.append(event) } }

    public var events: [Event] { lock.withLock { list } }
}
