public import Foundation

/// JSON Web Signatures in the flattened JSON serialization (RFC 7515 §7.2.2), as ACME sends them.
public enum JWS {
    /// Signs `payload` (nil: the empty payload of POST-as-GET) for `url`. The protected header
    /// names the key by `kid` when `keyID` is given, else embeds its `jwk`.
    public static func sign(payload: Data?, url: String, nonce: String?, keyID: String?, key: PrivateKey) throws(CryptoError) -> Data {
        var header = #"{"alg":"\#(key.jwsAlgorithm)""#
        if let keyID { header += #","kid":\#(quoted(keyID))"# } else { header += #","jwk":\#(key.publicJWK.canonicalJSON)"# }
        if let nonce { header += #","nonce":\#(quoted(nonce))"# }
        header += #","url":\#(quoted(url))}"#
        let protected = Base64URL.encode(Data(header.utf8))
        let body = payload.map(Base64URL.encode) ?? ""
        let signature = try key.signature(for: Data("\(protected).\(body)".utf8))
        return Data(#"{"protected":"\#(protected)","payload":"\#(body)","signature":"\#(Base64URL.encode(signature))"}"#.utf8)
    }

    /// The `externalAccountBinding` object of a newAccount request (RFC 8555 §7.3.4): the
    /// account's JWK signed with HS256 under the CA-issued key.
    public static func externalAccountBinding(accountKey: JWK, eabKeyID: String, hmacKey: Data, url: String) throws(CryptoError) -> Data {
        let header = #"{"alg":"HS256","kid":\#(quoted(eabKeyID)),"url":\#(quoted(url))}"#
        let protected = Base64URL.encode(Data(header.utf8))
        let payload = Base64URL.encode(Data(accountKey.canonicalJSON.utf8))
        let mac = try Digest.hmacSHA256(key: hmacKey, data: Data("\(protected).\(payload)".utf8))
        return Data(#"{"protected":"\#(protected)","payload":"\#(payload)","signature":"\#(Base64URL.encode(mac))"}"#.utf8)
    }

    /// A JSON string literal.
    private static func quoted(_ text: String) -> String {
        let data = (try? JSONEncoder().encode(text)) ?? Data("\"\"".utf8)
        return String(decoding: data, as: UTF8.self).replacingOccurrences(of: "\\/", with: "/")
    }
}
