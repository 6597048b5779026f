/// A token bucket like client-go's: `burst` requests at once, then `perSecond` a second.
actor RateLimiter {
    private let perSecond: Double
    private let burst: Double
    private var tokens: Double
    private var updated = ContinuousClock.now

    init(perSecond: Double, burst: Int) {
        self.perSecond = perSecond
        self.burst = Double(burst)
        self.tokens = Double(burst)
    }

    /// Waits until a request may go.
    func acquire() async {
        let now = ContinuousClock.now
        let elapsed = now - updated
        tokens = min(burst, tokens + perSecond * elapsed.seconds)
        updated = now
        tokens -= 1
        if tokens < 0 {
            // This request's turn comes when the deficit has refilled.
            try? await Task.sleep(for: .milliseconds(Int(-tokens / perSecond * 1000)))
        }
    }
}
