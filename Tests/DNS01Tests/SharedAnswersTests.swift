@testable import DNS01
import Synchronization
import Testing

/// One discovery asks each question once, however many names ask it at the same moment.
@Suite struct SharedAnswersTests {
    private final class Asked: Sendable {
        let count = Mutex(0)
        let failuresLeft: Mutex<Int>
        init(failures: Int = 0) { failuresLeft = Mutex(failures) }

        func ask(_ name: String) async throws -> DNSResponse {
            count.withLock { $0 += 1 }
            // Long enough for every concurrent asker to arrive while the first query is out.
            try await Task.sleep(for: .milliseconds(200))
            if failuresLeft.withLock({ left in defer { left -= 1 }; return left > 0 }) {
                throw DNSError(.timeout, "no answer from the test's server")
            }
            return DNSResponse(rcode: .noError, answers: [DNSRecord(name: name, type: .soa, ttl: 60, fields: ["ns1.\(name)"])], server: DNSServer(host: "127.0.0.1"))
        }
    }

    @Test func aHundredNamesAskingTheSameQuestionAtOnceSendItOnce() async throws {
        let answers = SharedAnswers(), asked = Asked()
        let responses = try await withThrowingTaskGroup(of: DNSResponse.self) { group in
            for _ in 0..<100 { group.addTask { try await answers.answer("Example.TEST", .soa) { try await asked.ask("example.test.") } } }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(asked.count.withLock { $0 } == 1)
        #expect(responses.count == 100 && responses.allSatisfy { $0.answers.first?.fields == ["ns1.example.test."] })
        // Later askers get the kept answer; another type or name is its own question.
        _ = try await answers.answer("example.test.", .soa) { try await asked.ask("example.test.") }
        _ = try await answers.answer("example.test.", .ns) { try await asked.ask("example.test.") }
        _ = try await answers.answer("shop.example.test.", .soa) { try await asked.ask("shop.example.test.") }
        #expect(asked.count.withLock { $0 } == 3)
    }

    @Test func aFailedQueryIsNotKeptAndTheNextAskerAsksAgain() async throws {
        let answers = SharedAnswers(), asked = Asked(failures: 1)
        await #expect(throws: DNSError.self) { try await answers.answer("example.test.", .soa) { try await asked.ask("example.test.") } }
        let response = try await answers.answer("example.test.", .soa) { try await asked.ask("example.test.") }
        #expect(response.rcode == .noError)
        #expect(asked.count.withLock { $0 } == 2)
    }
}
