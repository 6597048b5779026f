public import Foundation

/// External account binding credentials (RFC 8555 §7.3.4), as a CA hands them out.
public struct ExternalAccountBinding: Sendable, CustomStringConvertible {
    public var keyID: String
    public var hmacKey: Data

    public init(keyID: String, hmacKey: Data) {
        self.keyID = keyID
        self.hmacKey = hmacKey
    }

    /// Reads the HMAC key as CAs write it: base64url (or base64), surrounding space ignored.
    public init(keyID: String, encodedHMACKey: String) throws(ACMEError) {
        let text = encodedHMACKey.trimmingCharacters(in: .whitespacesAndNewlines)
        guard let key = Base64URL.decode(text.replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")), !key.isEmpty else {
            throw ACMEError(kind: .invalidInput, message: "the EAB HMAC key is not base64url; use the key exactly as the CA gave it")
        }
        self.init(keyID: keyID, hmacKey: key)
    }

    public var description: String { "ExternalAccountBinding(keyID: \(keyID), hmacKey: redacted)" }
}

extension ACMEClient {
    private struct NewAccount: Encodable {
        var contact: [String]?
        var termsOfServiceAgreed: Bool?
        var onlyReturnExisting: Bool?
        var externalAccountBinding: RawJSON?
    }

    /// Registers the account key with the CA, or returns the account it already has (RFC 8555
    /// §7.3: a second registration of a key answers with the existing account).
    public func register(contact: [String], termsOfServiceAgreed: Bool, externalAccountBinding: ExternalAccountBinding? = nil) async throws(ACMEError) -> ACMEAccount {
        if directory.externalAccountRequired && externalAccountBinding == nil {
            throw ACMEError(kind: .invalidInput, message: "\(directoryURL) requires external account binding: pass --eab-kid and --eab-hmac-file")
        }
        var eab: RawJSON?
        if let binding = externalAccountBinding {
            do {
                eab = RawJSON(data: try JWS.externalAccountBinding(accountKey: accountKey.publicJWK, eabKeyID: binding.keyID, hmacKey: binding.hmacKey, url: directory.newAccount))
            } catch {
                throw ACMEError(kind: .invalidInput, message: "could not sign the external account binding: \(error)")
            }
        }
        let payload = NewAccount(contact: contact, termsOfServiceAgreed: termsOfServiceAgreed, externalAccountBinding: eab)
        let response = try await post(directory.newAccount, payload: Self.encode(payload), signer: .accountJWK)
        return try account(from: response)
    }

    /// The account the CA holds for this key, or nil when it has none (`onlyReturnExisting`).
    public func findAccount() async throws(ACMEError) -> ACMEAccount? {
        do {
            let response = try await post(directory.newAccount, payload: Self.encode(NewAccount(onlyReturnExisting: true)), signer: .accountJWK)
            return try account(from: response)
        } catch where error.problemType == "accountDoesNotExist" {
            return nil
        }
    }

    /// The account's current state.
    public func fetchAccount() async throws(ACMEError) -> ACMEAccount {
        let url = try requireAccountURL()
        return try account(from: try await post(url, payload: Self.encode([String: String]())), url: url)
    }

    /// Replaces the account's contact URLs (e.g. `mailto:` addresses).
    public func updateContact(_ contact: [String]) async throws(ACMEError) -> ACMEAccount {
        let url = try requireAccountURL()
        return try account(from: try await post(url, payload: Self.encode(["contact": contact])), url: url)
    }

    /// Deactivates the account (RFC 8555 §7.3.6); the CA will refuse it from then on.
    public func deactivateAccount() async throws(ACMEError) -> ACMEAccount {
        let url = try requireAccountURL()
        return try account(from: try await post(url, payload: Self.encode(["status": "deactivated"])), url: url)
    }

    /// Moves the account to a new key (RFC 8555 §7.3.5); later requests are signed with it.
    public func rollOver(to newKey: PrivateKey) async throws(ACMEError) {
        let url = try requireAccountURL()
        guard let keyChange = directory.keyChange else {
            throw ACMEError(kind: .invalidInput, message: "\(directoryURL) does not offer key rollover (no keyChange in its directory)")
        }
        struct KeyChange: Encodable {
            var account: String
            var oldKey: RawJSON
        }
        let inner: Data
        do throws(CryptoError) {
            let change = KeyChange(account: url, oldKey: RawJSON(data: Data(accountKey.publicJWK.canonicalJSON.utf8)))
            inner = try JWS.sign(payload: Self.encode(change), url: keyChange, nonce: nil, keyID: nil, key: newKey)
        } catch {
            throw ACMEError(kind: .invalidInput, message: "could not sign the key change with the new key: \(error)")
        }
        _ = try await post(keyChange, payload: inner)
        replaceAccountKey(newKey)
    }

    private func requireAccountURL() throws(ACMEError) -> String {
        guard let accountURL else {
            throw ACMEError(kind: .invalidInput, message: "no ACME account yet: register or find one first")
        }
        return accountURL
    }

    private func account(from response: HTTPResponse, url knownURL: String? = nil) throws(ACMEError) -> ACMEAccount {
        let url: String
        if let knownURL { url = knownURL } else { url = try location(of: response, for: "the account") }
        let body = try Self.decode(ACMEAccount.Body.self, from: response, url: url)
        setAccountURL(url)
        return ACMEAccount(url: url, status: body.status ?? "valid", contact: body.contact ?? [], orders: body.orders)
    }
}

/// JSON that is already encoded, embedded as is in an Encodable payload.
struct RawJSON: Encodable {
    var data: Data

    func encode(to encoder: any Encoder) throws {
        let value = try JSONDecoder().decode(JSONValue.self, from: data)
        try value.encode(to: encoder)
    }
}
