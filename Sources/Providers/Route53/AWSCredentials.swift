internal import Foundation

/// One set of AWS credentials: long-lived keys, or temporary ones from STS with their session
/// token and expiry. Printing one never shows the secret or the token.
struct AWSCredentials: Sendable, Equatable, CustomStringConvertible {
    var accessKeyID: String
    var secretAccessKey: String
    var sessionToken: String?
    /// When temporary credentials stop working.
    var expiration: Date?

    var description: String {
        "AWSCredentials(redacted\(sessionToken == nil ? "" : ", temporary"))"
    }

    /// Whether these must be fetched again before a request made at `date`.
    func expiresSoon(after date: Date) -> Bool {
        guard let expiration else { return false }
        return expiration.timeIntervalSince(date) < 5 * 60
    }
}

/// Where the credentials come from, as the AWS SDKs look for them.
indirect enum AWSCredentialSource: Sendable, Equatable {
    /// Keys given as they are (environment, Secret, or a profile's keys).
    case keys(AWSCredentials, from: String)
    /// `AssumeRoleWithWebIdentity` with the token in `tokenFile`, read anew each time (EKS
    /// rotates it).
    case webIdentity(roleARN: String, tokenFile: String, sessionName: String)
    /// `AssumeRole` signed with the credentials of `base`.
    case assumeRole(roleARN: String, externalID: String?, sessionName: String, base: AWSCredentialSource)

    /// Where these credentials come from, for messages.
    var origin: String {
        switch self {
        case .keys(_, let from): return from
        case .webIdentity(let role, let file, _): return "web identity token \(file) for role \(role)"
        case .assumeRole(let role, _, _, let base): return "role \(role) assumed with \(base.origin)"
        }
    }
}
