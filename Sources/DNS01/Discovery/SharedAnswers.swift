internal import Synchronization

/// The answers one discovery has had, shared by every name it is asked about: the names of one
/// certificate mostly sit in one zone, so a hundred of them ask the same SOA, NS and address
/// questions at the same moment. The first asker's query is awaited by the others, and its answer
/// kept for the rest of the run (zones do not move during one); a failed query is forgotten, so the
/// next asker tries again.
final class SharedAnswers: Sendable {
    private struct Question: Hashable {
        var name: String
        var type: DNSRecordType
    }

    private let answers = Mutex<[Question: Task<DNSResponse, any Error>]>([:])

    func answer(_ name: String, _ type: DNSRecordType, ask: @escaping @Sendable () async throws -> DNSResponse) async throws -> DNSResponse {
        let question = Question(name: DNSName.normalized(name), type: type)
        let task = answers.withLock { answers in
            if let known = answers[question] { return known }
            let asked = Task { try await ask() }
            answers[question] = asked
            return asked
        }
        do {
            return try await task.value
        } catch {
            answers.withLock { answers in
                if answers[question] == task { answers[question] = nil }
            }
            throw error
        }
    }
}
