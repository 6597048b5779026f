internal import CertCore
internal import Foundation

/// Hands out the credentials of one source, fetching temporary ones from STS
/// (`AssumeRoleWithWebIdentity`, `AssumeRole`) when first needed and again shortly before they
/// expire; concurrent requests share one fetch.
actor AWSCredentialProvider {
    nonisolated let source: AWSCredentialSource
    /// STS: its endpoint, the region it signs with, and how often a throttled call is retried.
    nonisolated let stsEndpoint: String
    nonisolated let region: String
    nonisolated let maxRetries: Int
    private let base: AWSCredentialProvider?
    private var cached: AWSCredentials?
    private var fetching: Task<AWSCredentials, any Error>?

    init(source: AWSCredentialSource, stsEndpoint: String, region: String, maxRetries: Int) {
        self.source = source
        self.stsEndpoint = stsEndpoint
        self.region = region
        self.maxRetries = maxRetries
        if case .assumeRole(_, _, _, let baseSource) = source {
            base = AWSCredentialProvider(source: baseSource, stsEndpoint: stsEndpoint, region: region, maxRetries: maxRetries)
        } else {
            base = nil
        }
    }

    /// Credentials good for a request made now.
    func current() async throws -> AWSCredentials {
        if case .keys(let keys, _) = source { return keys }
        if let cached, !cached.expiresSoon(after: Date()) { return cached }
        if let fetching { return try await fetching.value }
        let task = Task { try await self.fetch() }
        fetching = task
        defer { fetching = nil }
        let fresh = try await task.value
        cached = fresh
        return fresh
    }

    private func fetch() async throws -> AWSCredentials {
        switch source {
        case .keys(let keys, _):
            return keys
        case .webIdentity(let role, let file, let session):
            guard let data = FileManager.default.contents(atPath: file) else {
                throw ProviderError(.configuration, provider: Route53Provider.code, "the web identity token file \(file) (AWS_WEB_IDENTITY_TOKEN_FILE) cannot be read")
            }
            let token = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            guard !token.isEmpty else {
                throw ProviderError(.configuration, provider: Route53Provider.code, "the web identity token file \(file) (AWS_WEB_IDENTITY_TOKEN_FILE) is empty")
            }
            // Unsigned: the token is the proof.
            let sts = AWSAPI(name: "STS", signingName: "sts", region: region, endpoint: stsEndpoint, credentials: nil, maxRetries: maxRetries)
            return try await Self.assume(sts, action: "AssumeRoleWithWebIdentity", parameters: [("RoleArn", role), ("RoleSessionName", session), ("WebIdentityToken", token)], doing: "assuming role \(role) with the web identity token in \(file)")
        case .assumeRole(let role, let externalID, let session, _):
            let sts = AWSAPI(name: "STS", signingName: "sts", region: region, endpoint: stsEndpoint, credentials: base, maxRetries: maxRetries)
            var parameters = [("RoleArn", role), ("RoleSessionName", session)]
            if let externalID { parameters.append(("ExternalId", externalID)) }
            return try await Self.assume(sts, action: "AssumeRole", parameters: parameters, doing: "assuming role \(role) with \(base?.source.origin ?? "the base credentials")")
        }
    }

    /// One STS call in the query protocol (a form POST) and the credentials it answers with.
    private static func assume(_ sts: AWSAPI, action: String, parameters: [(String, String)], doing: String) async throws -> AWSCredentials {
        let fields = [("Action", action), ("Version", "2011-06-15"), ("DurationSeconds", "3600")] + parameters
        let form = fields.map { "\(AWSSigner.encoded($0.0, keepingSlash: false))=\(AWSSigner.encoded($0.1, keepingSlash: false))" }.joined(separator: "&")
        let answer = try await sts.call("POST", "/", body: Data(form.utf8), contentType: "application/x-www-form-urlencoded; charset=utf-8", doing: doing)
        guard let credentials = answer.first("Credentials"),
              let id = credentials.text("AccessKeyId"), !id.isEmpty,
              let secret = credentials.text("SecretAccessKey"), !secret.isEmpty,
              let token = credentials.text("SessionToken"), !token.isEmpty
        else {
            throw ProviderError(.rejected, provider: Route53Provider.code, "\(doing): STS answered without credentials")
        }
        let expiration = credentials.text("Expiration").flatMap(Self.date) ?? Date().addingTimeInterval(15 * 60)
        return AWSCredentials(accessKeyID: id, secretAccessKey: secret, sessionToken: token, expiration: expiration)
    }

    /// `2026-12-01T20:52:04Z`, fractional seconds ignored.
    static func date(_ text: String) -> Date? {
        var text = text
        if let dot = text.firstIndex(of: "."), let zone = text[dot...].firstIndex(where: { $0 == "Z" || $0 == "+" || $0 == "-" }) {
            text = String(text[..<dot] + text[zone...])
        }
        return ISO8601DateFormatter().date(from: text)
    }
}
