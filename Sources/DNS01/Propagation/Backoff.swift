/// Poll delays that start short and grow geometrically up to a ceiling.
public struct Backoff: Hashable, Sendable {
    public var initial: Duration
    public var maximum: Duration
    public var multiplier: Double

    public init(initial: Duration = .milliseconds(250), maximum: Duration = .seconds(2), multiplier: Double = 1.5) {
        self.initial = initial
        self.maximum = max(maximum, initial)
        self.multiplier = max(multiplier, 1)
    }

    /// The wait after poll number `attempt` (0 for the first): initial × multiplier^attempt, capped.
    public func delay(afterAttempt attempt: Int) -> Duration {
        var delay = initial
        for _ in 0..<max(attempt, 0) {
            delay = delay * multiplier
            if delay >= maximum { return maximum }
        }
        return min(delay, maximum)
    }
}
