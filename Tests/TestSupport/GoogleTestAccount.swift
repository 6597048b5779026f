import CertCore
import Foundation

/// A service account of the test's own: its JSON key (as the Cloud console downloads it, with
/// the stand-in's token URI) and the credentials the stand-in accepts for it.
public struct GoogleTestAccount: Sendable {
    public let email = "dns-\(UUID().uuidString.prefix(8).lowercased())@lab-project.iam.gserviceaccount.com"
    public let keyID = UUID().uuidString.lowercased()
    public let project = "lab-project-\(UUID().uuidString.prefix(6).lowercased())"
    public let privateKey: String
    public let publicKey: String

    public init() throws {
        let key = try PrivateKey.generate(.rsa2048)
        privateKey = try key.pem(encoding: .pkcs8)
        let der = try PrivateKey.publicKeyInfo(pem: privateKey).base64EncodedString()
        let lines = stride(from: 0, to: der.count, by: 64).map { offset in
            String(der[der.index(der.startIndex, offsetBy: offset)..<der.index(der.startIndex, offsetBy: min(offset + 64, der.count))])
        }
        publicKey = "-----BEGIN PUBLIC KEY-----\n" + lines.joined(separator: "\n") + "\n-----END PUBLIC KEY-----\n"
    }

    /// What the stand-in accepts: this account's public key, its project.
    public var credentials: [String: String] {
        ["project": project, "client_email": email, "key_id": keyID, "public_key": publicKey]
    }

    /// The JSON key, signed by `privateKey` (another key's PEM for a wrong one).
    public func json(tokenURI: String, privateKey: String? = nil, project: String? = nil) -> String {
        let key: [String: String] = [
            "type": "service_account", "project_id": project ?? self.project, "private_key_id": keyID,
            "private_key": privateKey ?? self.privateKey, "client_email": email, "client_id": "1234567890",
            "auth_uri": "https://accounts.google.com/o/oauth2/auth", "token_uri": tokenURI,
        ]
        return String(decoding: (try? JSONSerialization.data(withJSONObject: key, options: [.sortedKeys])) ?? Data(), as: UTF8.self)
    }
}
