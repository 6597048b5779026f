import CertCore
import Foundation

/// RFC 9773 `replaces`: the certificate an order renews. Named only for a certificate this
/// ACME server issued to this account, as the Secret's annotations record — a CA refuses to
/// replace a certificate of another CA or account.
enum ReplacedCertificate {
    /// The identifier of the certificate in `secret`, when it came from `server` and `account`.
    static func identifier(in secret: Secret?, server: String, account: String?) -> String? {
        guard let secret, let account,
              secret.annotations[IssueAnnotations.server] == server, secret.annotations[IssueAnnotations.account] == account,
              let leaf = secret.leafCertificate else { return nil }
        return try? ACMEClient.certificateIdentifier(leaf)
    }
}
