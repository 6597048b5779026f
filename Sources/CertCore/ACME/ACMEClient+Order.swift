import Foundation

extension ACMEClient {
    /// Asks for an order covering `identifiers`. With `replaces` (an RFC 9773 certificate
    /// identifier) the order says which certificate it renews. A CA that refuses that order —
    /// `alreadyReplaced`, or a certificate it does not know or another account's — gets the
    /// same order again without `replaces` (RFC 9773 §5 lets a client renew without it); a
    /// rate limit is not retried.
    public func newOrder(identifiers: [ACMEIdentifier], replaces: String? = nil) async throws(ACMEError) -> ACMEOrder {
        guard !identifiers.isEmpty else {
            throw ACMEError(kind: .invalidInput, message: "an order needs at least one name")
        }
        struct NewOrder: Encodable {
            var identifiers: [ACMEIdentifier]
            var replaces: String?
        }
        let response: HTTPResponse
        do {
            response = try await post(directory.newOrder, payload: Self.encode(NewOrder(identifiers: identifiers, replaces: replaces)))
        } catch where replaces != nil && error.kind == .problem && error.problemType != "rateLimited" {
            logger.info("the CA refused an order replacing \(replaces ?? "") (\(error.problemType ?? "?")); ordering without `replaces`")
            return try await newOrder(identifiers: identifiers, replaces: nil)
        }
        let url = try location(of: response, for: "the order")
        return ACMEOrder(url: url, body: try Self.decode(ACMEOrder.Body.self, from: response, url: url))
    }

    /// The order's current state.
    public func order(at url: String) async throws(ACMEError) -> ACMEOrder {
        let response = try await post(url, payload: nil)
        return ACMEOrder(url: url, body: try Self.decode(ACMEOrder.Body.self, from: response, url: url))
    }

    /// One authorization's current state.
    public func authorization(at url: String) async throws(ACMEError) -> ACMEAuthorization {
        let response = try await post(url, payload: nil)
        return ACMEAuthorization(url: url, body: try Self.decode(ACMEAuthorization.Body.self, from: response, url: url))
    }

    /// Every authorization of an order, fetched concurrently, in the order's order.
    public func authorizations(of order: ACMEOrder) async throws(ACMEError) -> [ACMEAuthorization] {
        do {
            return try await withThrowingTaskGroup(of: (Int, ACMEAuthorization).self) { group in
                for (index, url) in order.authorizations.enumerated() {
                    group.addTask { (index, try await self.authorization(at: url)) }
                }
                var found: [(Int, ACMEAuthorization)] = []
                for try await item in group { found.append(item) }
                return found.sorted { $0.0 < $1.0 }.map(\.1)
            }
        } catch let error as ACMEError {
            throw error
        } catch {
            throw ACMEError(kind: .transport, message: "fetching the order's authorizations failed: \(error)")
        }
    }

    /// Tells the CA the challenge is ready to be checked.
    public func respond(to challenge: ACMEChallenge) async throws(ACMEError) -> ACMEChallenge {
        let response = try await post(challenge.url, payload: Data("{}".utf8))
        return try Self.decode(ACMEChallenge.self, from: response, url: challenge.url)
    }

    /// Polls an authorization until it is valid; throws `.validationFailed` with the CA's
    /// reason when it becomes invalid (or deactivated, expired, revoked).
    public func waitForAuthorization(at url: String, timeout: Duration = .seconds(300)) async throws(ACMEError) -> ACMEAuthorization {
        try await poll(url, timeout: timeout, what: "the authorization") { () async throws(ACMEError) -> (ACMEAuthorization?, HTTPResponse) in
            let response = try await self.post(url, payload: nil)
            let authorization = ACMEAuthorization(url: url, body: try Self.decode(ACMEAuthorization.Body.self, from: response, url: url))
            switch authorization.status {
            case .valid:
                return (authorization, response)
            case .pending:
                return (nil, response)
            case .invalid, .deactivated, .expired, .revoked, .other:
                let problem = authorization.challenges.compactMap(\.error).first
                throw ACMEError(kind: .validationFailed, message: "the CA did not validate \(authorization.domain) (authorization \(authorization.status))", problem: problem)
            }
        }
    }

    /// Sends the CSR and polls the order until the certificate is ready.
    public func finalize(_ order: ACMEOrder, csr: CertificateSigningRequest, timeout: Duration = .seconds(300)) async throws(ACMEError) -> ACMEOrder {
        let response = try await post(order.finalize, payload: Self.encode(["csr": Base64URL.encode(csr.der)]))
        let finalized = ACMEOrder(url: order.url, body: try Self.decode(ACMEOrder.Body.self, from: response, url: order.finalize))
        if finalized.status == .valid { return finalized }
        return try await waitForOrder(at: order.url, timeout: timeout)
    }

    /// Polls an order until it is valid (the certificate can be downloaded).
    public func waitForOrder(at url: String, timeout: Duration = .seconds(300)) async throws(ACMEError) -> ACMEOrder {
        try await poll(url, timeout: timeout, what: "the order") { () async throws(ACMEError) -> (ACMEOrder?, HTTPResponse) in
            let response = try await self.post(url, payload: nil)
            let order = ACMEOrder(url: url, body: try Self.decode(ACMEOrder.Body.self, from: response, url: url))
            switch order.status {
            case .valid: return (order, response)
            case .processing, .pending, .ready: return (nil, response)
            case .invalid, .other:
                throw ACMEError(kind: .validationFailed, message: "the order \(url) became \(order.status)", problem: order.error)
            }
        }
    }

    /// Calls `check` until it returns a value, sleeping between calls: what `Retry-After`
    /// asks (bounded to 10 s), else 250 ms doubling to 4 s; gives up after `timeout`.
    func poll<T>(_ url: String, timeout: Duration, what: String, _ check: () async throws(ACMEError) -> (T?, HTTPResponse)) async throws(ACMEError) -> T {
        let deadline = ContinuousClock.now + timeout
        var delay = Duration.milliseconds(250)
        while true {
            let (value, response) = try await check()
            if let value { return value }
            var pause = delay
            if let retryAfter = RetryAfter.date(response.headers["Retry-After"]) {
                let seconds = min(max(retryAfter.timeIntervalSinceNow, 0.1), 10)
                pause = .milliseconds(Int(seconds * 1000))
            }
            guard ContinuousClock.now + pause < deadline else {
                throw ACMEError(kind: .timeout, message: "gave up waiting for \(what) at \(url) after \(timeout)")
            }
            do {
                try await Task.sleep(for: pause)
            } catch {
                throw ACMEError(kind: .timeout, message: "stopped waiting for \(what): cancelled")
            }
            delay = min(delay * 2, .seconds(4))
        }
    }
}
