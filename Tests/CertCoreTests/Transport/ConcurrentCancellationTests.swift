import CertCore
import Foundation
import TestSupport
import Testing

/// Many requests at once against the slow endpoint of the local HTTPS test server, some
/// cancelled at random moments: a cancel reaches only the request it was meant for.
@Suite struct ConcurrentCancellationTests {
    enum Plan {
        /// Never cancelled: must answer with its own response.
        case complete
        /// Cancelled long before the server answers: must end cancelled.
        case cancelEarly(afterMilliseconds: Int)
        /// Cancelled around the moment its answer arrives: ends cancelled, or with its own
        /// response when the answer came first.
        case cancelNearTheEnd(afterMilliseconds: Int)
    }

    enum Outcome: Sendable {
        case response(status: Int, query: String?)
        case cancelled
        case failed(String)
    }

    struct SlowAnswer: Decodable {
        var query: String?
    }

    /// What each request does, and how long the server takes to answer it (milliseconds).
    static func plans(count: Int) -> ([Plan], [Int]) {
        var random = SeededGenerator(seed: 0x5EED_CA11)
        var plans: [Plan] = []
        var delays: [Int] = []
        for _ in 0..<count {
            let delay = Int.random(in: 5...120, using: &random)
            switch Int.random(in: 0..<3, using: &random) {
            case 0:
                plans.append(.complete)
                delays.append(delay)
            case 1:
                plans.append(.cancelEarly(afterMilliseconds: Int.random(in: 0...50, using: &random)))
                delays.append(30_000)
            default:
                plans.append(.cancelNearTheEnd(afterMilliseconds: max(0, delay + Int.random(in: -5...5, using: &random))))
                delays.append(delay)
            }
        }
        return (plans, delays)
    }

    static func run(_ plan: Plan, url: String, client: HTTPClient) async -> Outcome {
        let task = Task { () -> Outcome in
            do {
                let response = try await client.send(HTTPRequest(url: url))
                return .response(status: response.status, query: try JSONDecoder().decode(SlowAnswer.self, from: response.body).query)
            } catch let error as HTTPError where error.kind == .cancelled {
                return .cancelled
            } catch {
                return .failed("\(error)")
            }
        }
        switch plan {
        case .complete: break
        case .cancelEarly(let after), .cancelNearTheEnd(let after):
            try? await Task.sleep(for: .milliseconds(after))
            task.cancel()
        }
        return await task.value
    }

    @Test func cancelsAtRandomMomentsHitOnlyTheirOwnRequests() async throws {
        let fixture = try HTTPClientTests.shared.get()
        let client = try HTTPClient(configuration: fixture.configuration(maxConnections: 64))
        let (plans, delays) = Self.plans(count: 400)
        // Each worker sends its requests one after another, so new transfers are made while
        // others finish and are cancelled.
        let workers = 40
        let outcomes = await withTaskGroup(of: [(Int, Outcome)].self) { group in
            for worker in 0..<workers {
                group.addTask {
                    var results: [(Int, Outcome)] = []
                    for index in stride(from: worker, to: plans.count, by: workers) {
                        results.append((index, await Self.run(plans[index], url: fixture.baseURL + "/slow?ms=\(delays[index])&request=\(index)", client: client)))
                    }
                    return results
                }
            }
            var all: [Int: Outcome] = [:]
            for await results in group {
                for (index, outcome) in results { all[index] = outcome }
            }
            return all
        }

        for (index, plan) in plans.enumerated() {
            let own = "ms=\(delays[index])&request=\(index)"
            let outcome = outcomes[index]
            switch (plan, outcome) {
            case (.complete, .response(let status, let query)?):
                #expect(status == 200 && query == own, "request \(index) got \(status) \(query ?? "-")")
            case (.cancelEarly, .cancelled?), (.cancelNearTheEnd, .cancelled?):
                break
            case (.cancelNearTheEnd, .response(let status, let query)?):
                #expect(status == 200 && query == own, "request \(index) got \(status) \(query ?? "-")")
            default:
                Issue.record("request \(index), planned \(plan), ended \(String(describing: outcome))")
            }
        }
        // The client still works afterwards.
        #expect(try await client.send(HTTPRequest(url: fixture.baseURL + "/echo")).status == 200)
    }
}
