import CertCore
import Foundation
import Testing

/// Keys read on many threads at once, as `status -A` and parallel tests read them: every sound
/// key is read, whatever the other threads are doing.
@Suite struct ConcurrentKeyReadingTests {
    @Test func soundKeysAreAlwaysReadWhenManyThreadsReadAtOnce() async throws {
        let keys = try (0..<8).map { index -> String in
            try PrivateKey.generate([KeyType.ec256, .ec384, .rsa2048, .ec256][index % 4]).pem(encoding: index % 2 == 0 ? .pkcs8 : .traditional)
        }
        let failures = await withTaskGroup(of: Int.self) { group in
            for lane in 0..<8 {
                group.addTask {
                    await withCheckedContinuation { continuation in
                        // Threads of their own, so the reads really overlap.
                        Thread.detachNewThread {
                            var failed = 0
                            for round in 0..<400 where (try? PrivateKey(pem: keys[(lane + round) % keys.count])) == nil { failed += 1 }
                            continuation.resume(returning: failed)
                        }
                    }
                }
            }
            return await group.reduce(0, +)
        }
        #expect(failures == 0, "\(failures) of 3200 reads of sound keys failed")
    }
}
