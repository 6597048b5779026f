import Foundation

extension ACMEClient {
    /// The RFC 9773 identifier of a certificate: base64url(authority key identifier) "."
    /// base64url(serial number as DER integer content).
    public static func certificateIdentifier(_ certificate: Certificate) throws(ACMEError) -> String {
        guard let aki = certificate.authorityKeyIdentifier, !aki.isEmpty else {
            throw ACMEError(kind: .invalidInput, message: "the certificate has no authority key identifier, so it has no ARI identifier")
        }
        guard var serial = Data(hex: certificate.serialNumber), !serial.isEmpty else {
            throw ACMEError(kind: .invalidInput, message: "the certificate's serial number \(certificate.serialNumber) is not hex")
        }
        // The DER content of a positive INTEGER starts with a zero byte when its top bit is set.
        if serial[serial.startIndex] & 0x80 != 0 { serial.insert(0, at: 0) }
        return Base64URL.encode(aki) + "." + Base64URL.encode(serial)
    }

    /// The CA's suggested renewal window for a certificate (RFC 9773 §4.2), or nil when the CA
    /// offers no renewal information.
    public func renewalInfo(for certificate: Certificate) async throws(ACMEError) -> ACMERenewalInfo? {
        try await Self.renewalInfo(for: certificate, directory: directory, http: http)
    }

    /// The same, from a directory alone: renewal information needs no account.
    public static func renewalInfo(for certificate: Certificate, directory: ACMEDirectory, http: HTTPClient) async throws(ACMEError) -> ACMERenewalInfo? {
        guard let base = directory.renewalInfo else { return nil }
        let identifier = try Self.certificateIdentifier(certificate)
        let url = (base.hasSuffix("/") ? base : base + "/") + identifier
        let response = try await send(http, HTTPRequest(url: url, headers: ["Accept": "application/json"]))
        guard response.status == 200 else { throw error(from: response, url: url) }
        let body = try Self.decode(ACMERenewalInfo.Body.self, from: response, url: url)
        guard let start = RFC3339.parse(body.suggestedWindow.start), let end = RFC3339.parse(body.suggestedWindow.end), start <= end else {
            throw ACMEError(kind: .protocolViolation, message: "the renewal window from \(url) is not a valid start/end pair")
        }
        return ACMERenewalInfo(windowStart: start, windowEnd: end, explanationURL: body.explanationURL, retryAfter: RetryAfter.date(response.headers["Retry-After"]))
    }
}

extension Data {
    /// Bytes from hex digits (an odd count gets a leading zero); nil if not hex.
    init?(hex: String) {
        var digits = Array(hex.lowercased())
        if digits.count % 2 == 1 { digits.insert("0", at: 0) }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(digits.count / 2)
        var index = 0
        while index < digits.count {
            guard let high = digits[index].hexDigitValue, let low = digits[index + 1].hexDigitValue else { return nil }
            bytes.append(UInt8(high << 4 | low))
            index += 2
        }
        self.init(bytes)
    }
}
