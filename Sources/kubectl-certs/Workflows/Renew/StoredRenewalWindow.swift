import CertCore
import Foundation

/// The CA's renewal window as last fetched, kept on the Secret (`kubectl-certs.io/ari`) so that
/// a later run — the next CronJob, hours on — honours the CA's Retry-After and does not ask
/// again before it; it holds for the certificate it was fetched for only.
struct StoredRenewalWindow: Codable, Equatable {
    static let annotation = "kubectl-certs.io/ari"

    var serial: String
    var start: Date
    var end: Date
    var checkAfter: Date

    init(serial: String, window: ACMERenewalInfo, checkAfter: Date) {
        self.serial = serial
        start = window.windowStart
        end = window.windowEnd
        self.checkAfter = checkAfter
    }

    /// The stored window of `secret`, when it is for `leaf` and the CA asked not to be asked
    /// again before a time still to come.
    static func current(in secret: Secret?, for leaf: Certificate, now: Date) -> ACMERenewalInfo? {
        guard let text = secret?.annotations[annotation], let stored = try? decoder.decode(Self.self, from: Data(text.utf8)),
              stored.serial == leaf.serialNumber, stored.checkAfter > now else { return nil }
        return ACMERenewalInfo(windowStart: stored.start, windowEnd: stored.end, retryAfter: stored.checkAfter)
    }

    var text: String {
        (try? Self.encoder.encode(self)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
    }

    private static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = .sortedKeys
        return encoder
    }()

    private static let decoder: JSONDecoder = {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return decoder
    }()
}
