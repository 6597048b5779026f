internal import CertCore
internal import Foundation

/// AWS Signature Version 4 (`AWS4-HMAC-SHA256` in the Authorization header), as every AWS API
/// Route 53 and STS included checks it: a canonical form of the request (method, path, sorted
/// query, the signed headers, the body's SHA-256) is hashed into a string to sign, which is
/// signed with a key derived from the secret, the day, the region and the service.
///
/// Signed headers are `host`, `content-type` and every `x-amz-*` header: the transport may add
/// others (User-Agent, Accept-Encoding, Content-Length) that a signature must not depend on.
struct AWSSigner: Sendable {
    var service: String
    var region: String

    /// The parts of one signature, kept apart so that tests can compare each step.
    struct Signature: Equatable {
        var canonicalRequest: String
        var stringToSign: String
        var signedHeaders: String
        var signature: String
        var authorization: String
    }

    /// Sets `X-Amz-Date`, `X-Amz-Security-Token` (temporary credentials) and `Authorization` on
    /// `request`, and `Host` to what the signature covers.
    func sign(_ request: inout HTTPRequest, with credentials: AWSCredentials, at date: Date) throws {
        let signature = try self.signature(for: &request, with: credentials, at: date)
        request.headers.set("Authorization", signature.authorization)
    }

    /// Computes the signature of `request` as `sign` sends it, adding the headers it covers.
    func signature(for request: inout HTTPRequest, with credentials: AWSCredentials, at date: Date) throws -> Signature {
        guard let url = URLComponents(string: request.url), let host = url.host, !host.isEmpty else {
            throw ProviderError(.configuration, provider: Route53Provider.code, "\(request.url) is not a URL that can be signed (check AWS_ENDPOINT_URL)")
        }
        let stamp = Self.timestamp(date)
        let day = String(stamp.prefix(8))
        let authority = url.port.map { "\(host):\($0)" } ?? host
        request.headers.set("Host", authority)
        request.headers.set("X-Amz-Date", stamp)
        if let token = credentials.sessionToken {
            request.headers.set("X-Amz-Security-Token", token)
        } else {
            request.headers.remove("X-Amz-Security-Token")
        }

        var signed: [String: String] = [:]
        for (name, value) in request.headers {
            let lowered = name.lowercased()
            guard lowered == "host" || lowered == "content-type" || lowered.hasPrefix("x-amz-") else { continue }
            let trimmed = Self.collapsedSpaces(value)
            signed[lowered] = signed[lowered].map { $0 + "," + trimmed } ?? trimmed
        }
        let names = signed.keys.sorted()
        let signedHeaders = names.joined(separator: ";")
        let canonicalHeaders = names.map { "\($0):\(signed[$0] ?? "")\n" }.joined()
        let canonicalRequest = [
            request.method.uppercased(),
            Self.canonicalPath(url.percentEncodedPath),
            Self.canonicalQuery(url.percentEncodedQuery),
            canonicalHeaders,
            signedHeaders,
            Self.hex(Digest.sha256(request.body ?? Data())),
        ].joined(separator: "\n")
        let scope = "\(day)/\(region)/\(service)/aws4_request"
        let stringToSign = ["AWS4-HMAC-SHA256", stamp, scope, Self.hex(Digest.sha256(Data(canonicalRequest.utf8)))].joined(separator: "\n")

        var key = Data("AWS4\(credentials.secretAccessKey)".utf8)
        for part in [day, region, service, "aws4_request"] {
            key = try HMAC.sha256(key: key, data: Data(part.utf8))
        }
        let signature = Self.hex(try HMAC.sha256(key: key, data: Data(stringToSign.utf8)))
        let authorization = "AWS4-HMAC-SHA256 Credential=\(credentials.accessKeyID)/\(scope), SignedHeaders=\(signedHeaders), Signature=\(signature)"
        return Signature(canonicalRequest: canonicalRequest, stringToSign: stringToSign, signedHeaders: signedHeaders, signature: signature, authorization: authorization)
    }

    /// `20150830T123600Z`.
    static func timestamp(_ date: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC") ?? TimeZone(secondsFromGMT: 0) ?? calendar.timeZone
        let parts = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        func two(_ value: Int?) -> String { String(format: "%02d", value ?? 0) }
        return String(format: "%04d", parts.year ?? 0) + two(parts.month) + two(parts.day) + "T" + two(parts.hour) + two(parts.minute) + two(parts.second) + "Z"
    }

    /// The path as sent, encoded once more (what AWS asks of every service but S3); `/` when empty.
    static func canonicalPath(_ path: String) -> String {
        path.isEmpty ? "/" : encoded(path, keepingSlash: true)
    }

    /// Every parameter decoded, then encoded the AWS way, sorted by name then value.
    static func canonicalQuery(_ query: String?) -> String {
        guard let query, !query.isEmpty else { return "" }
        let pairs: [(String, String)] = query.split(separator: "&", omittingEmptySubsequences: true).map { item in
            let parts = item.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = String(parts[0]).removingPercentEncoding ?? String(parts[0])
            let value = parts.count > 1 ? (String(parts[1]).removingPercentEncoding ?? String(parts[1])) : ""
            return (encoded(name, keepingSlash: false), encoded(value, keepingSlash: false))
        }
        return pairs.sorted { $0.0 == $1.0 ? $0.1 < $1.1 : $0.0 < $1.0 }.map { "\($0.0)=\($0.1)" }.joined(separator: "&")
    }

    /// RFC 3986 percent-encoding of everything but the unreserved characters (and `/` if kept).
    static func encoded(_ text: String, keepingSlash: Bool) -> String {
        var result = ""
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                 UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."), UInt8(ascii: "~"):
                result.append(Character(UnicodeScalar(byte)))
            case UInt8(ascii: "/") where keepingSlash:
                result.append("/")
            default:
                result += String(format: "%%%02X", byte)
            }
        }
        return result
    }

    /// A header value trimmed, with runs of spaces inside it made one.
    static func collapsedSpaces(_ value: String) -> String {
        value.split(whereSeparator: { $0 == " " || $0 == "\t" }).joined(separator: " ")
    }

    static func hex(_ data: Data) -> String {
        data.map { String(format: "%02x", $0) }.joined()
    }
}
