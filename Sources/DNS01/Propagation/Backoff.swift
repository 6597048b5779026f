/// Poll delays that stay short while a record is most likely to arrive, then grow
/// geometrically up to a ceiling.
///
/// A secondary nameserver usually serves a new record within seconds of its primary's NOTIFY;
/// polling every 250 ms through that time finds it within about 125 ms on average, at four
/// queries a second per record and server (under the five a second at which authoritative
/// servers' response rate limiting commonly starts). After `steadyPolls` polls the delay grows.
public struct Backoff: Hashable, Sendable {
    public var initial: Duration
    public var maximum: Duration
    public var multiplier: Double
    public var steadyPolls: Int

    public init(initial: Duration = .milliseconds(250), maximum: Duration = .seconds(2), multiplier: Double = 1.5, steadyPolls: Int = 40) {
        self.initial = initial
        self.maximum = max(maximum, initial)
        self.multiplier = max(multiplier, 1)
        self.steadyPolls = max(steadyPolls, 0)
    }

    /// The wait after poll number `attempt` (0 for the first): `initial` for the first
    /// `steadyPolls`, then initial × multiplier^(attempt − steadyPolls), capped.
    public func delay(afterAttempt attempt: Int) -> Duration {
        var delay = initial
        for _ in 0..<max(attempt - steadyPolls, 0) {
            delay = delay * multiplier
            if delay >= maximum { return maximum }
        }
        return min(delay, maximum)
    }
}
