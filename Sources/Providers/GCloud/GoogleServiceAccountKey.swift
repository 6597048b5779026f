internal import CertCore
internal import Foundation

/// A Google service account key as the Cloud console downloads it (JSON, `type`
/// `service_account`), and the signed JWT that trades it for an access token
/// (https://developers.google.com/identity/protocols/oauth2/service-account#httprest).
struct GoogleServiceAccountKey: Sendable {
    var clientEmail: String
    var privateKeyID: String?
    var privateKey: PrivateKey
    /// Where the JWT is sent (the key's `token_uri`; Google's endpoint when absent).
    var tokenURI: String
    var projectID: String?

    static let defaultTokenURI = "https://oauth2.googleapis.com/token"
    /// Read and write access to Cloud DNS, and nothing else.
    static let scope = "https://www.googleapis.com/auth/ndev.clouddns.readwrite"

    /// Reads the key; `origin` names where it came from in an error ("GCE_SERVICE_ACCOUNT").
    /// Its contents never reach a message.
    init(json text: String, origin: String) throws(ProviderError) {
        func refuse(_ problem: String) -> ProviderError {
            ProviderError(.configuration, provider: GCloudProvider.code, "\(origin) \(problem)")
        }
        guard let json = try? JSONValue.decode(Data(text.utf8)), json.objectValue != nil else {
            throw refuse("is not JSON: give the service account key file the Cloud console downloads (Service accounts → Keys → Add key → JSON)")
        }
        let type = json["type"]?.stringValue ?? "(none)"
        guard type == "service_account" else {
            throw refuse("holds credentials of type \(type); kubectl-certs reads service account keys (type service_account) only — use a service account key, or the metadata server's credentials on Google Cloud")
        }
        guard let email = json["client_email"]?.stringValue, !email.isEmpty else { throw refuse("has no client_email") }
        guard let pem = json["private_key"]?.stringValue, !pem.isEmpty else { throw refuse("has no private_key") }
        let key: PrivateKey
        do {
            key = try PrivateKey(pem: pem)
        } catch {
            throw refuse("has a private_key that is not an unencrypted PEM RSA key")
        }
        guard key.jwsAlgorithm == "RS256" else { throw refuse("has a private_key that is not an RSA key (Google signs service account JWTs with RS256)") }
        let tokenURI = json["token_uri"]?.stringValue ?? Self.defaultTokenURI
        guard let url = URL(string: tokenURI), url.scheme == "https", url.host != nil else { throw refuse("has a token_uri that is not an https URL") }
        clientEmail = email
        privateKeyID = json["private_key_id"]?.stringValue
        privateKey = key
        self.tokenURI = tokenURI
        projectID = json["project_id"]?.stringValue.flatMap { $0.isEmpty ? nil : $0 }
    }

    /// The JWT bearer assertion: RS256 over the header and the claims (`iss` the account,
    /// `aud` the token URI, valid for one hour from `now`).
    func assertion(now: Date = Date()) throws(ProviderError) -> String {
        var header: JSONValue = ["alg": "RS256", "typ": "JWT"]
        if let privateKeyID, case .object(var fields) = header {
            fields["kid"] = .string(privateKeyID)
            header = .object(fields)
        }
        let issued = Int(now.timeIntervalSince1970)
        let claims: JSONValue = ["iss": .string(clientEmail), "scope": .string(Self.scope), "aud": .string(tokenURI), "iat": .number(Double(issued)), "exp": .number(Double(issued + 3600))]
        let input = Base64URL.encode(header.encoded()) + "." + Base64URL.encode(claims.encoded())
        do {
            return input + "." + Base64URL.encode(try privateKey.signature(for: Data(input.utf8)))
        } catch {
            throw ProviderError(.configuration, provider: GCloudProvider.code, "signing the token request of \(clientEmail) failed: \(error)")
        }
    }
}
