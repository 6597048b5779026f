internal import CertCore
internal import Foundation
import Logging

/// One AWS API endpoint (Route 53 or STS) as the adapter calls it: requests signed with
/// Signature Version 4 (or unsigned, for AssumeRoleWithWebIdentity), XML answers, throttling
/// retried with backoff a bounded number of times, and errors that carry the API's own code and
/// message — refused credentials as `credentialsRefused`.
struct AWSAPI: Sendable {
    /// The API's name in messages ("Route 53", "STS").
    var name: String
    var endpoint: String
    var client: ProviderAPIClient
    var credentials: AWSCredentialProvider?
    /// How many times a throttled request is sent again (`AWS_MAX_RETRIES`).
    var maxRetries: Int
    /// The pause before the first retry; doubled each time, at most `longestBackoff`.
    var firstBackoff: Duration = .milliseconds(200)
    var longestBackoff: Duration = .seconds(5)

    static let logger = Logger(label: "kubectl-certs.providers.route53")

    /// Error codes that mean "slow down", whatever the status says.
    static let throttlingCodes: Set<String> = ["Throttling", "ThrottlingException", "ThrottledException", "PriorRequestNotComplete", "RequestLimitExceeded", "TooManyRequestsException", "RequestThrottled", "RequestThrottledException"]
    /// Error codes that mean the credentials were refused or do not allow the call.
    static let refusedCodes: Set<String> = ["InvalidClientTokenId", "SignatureDoesNotMatch", "AccessDenied", "AccessDeniedException", "ExpiredToken", "ExpiredTokenException", "InvalidIdentityToken", "IDPRejectedClaim", "IncompleteSignature", "MissingAuthenticationToken", "UnrecognizedClientException", "InvalidAccessKeyId", "InvalidToken", "AuthFailure"]

    init(name: String, signingName: String, region: String, endpoint: String, credentials: AWSCredentialProvider?, maxRetries: Int) {
        self.name = name
        self.endpoint = endpoint
        self.credentials = credentials
        self.maxRetries = maxRetries
        let signer = AWSSigner(service: signingName, region: region)
        var sign: (@Sendable (inout HTTPRequest) async throws -> Void)?
        if let credentials {
            sign = { @Sendable (request: inout HTTPRequest) async throws in
                let current = try await credentials.current()
                try signer.sign(&request, with: current, at: Date())
            }
        }
        // Retries and errors are handled here, where the XML error codes are understood.
        client = ProviderAPIClient(provider: Route53Provider.code, trustedBy: ProcessInfo.processInfo.environment, baseURL: endpoint, headers: ["Accept": "application/xml"], sign: sign, maxRetries: 0)
    }

    /// Sends the request and returns the answer's XML; any error answer throws.
    func call(_ method: String, _ path: String, query: [(String, String)] = [], body: Data? = nil, contentType: String? = nil, doing: String) async throws -> AWSXML {
        switch try await attempt(method, path, query: query, body: body, contentType: contentType, tolerating: [], doing: doing) {
        case .answer(let xml): return xml
        case .tolerated(let code, let message): throw ProviderError(.rejected, provider: Route53Provider.code, "\(doing): \(name) answered \(code): \(message)")
        }
    }

    enum Outcome {
        case answer(AWSXML)
        /// An error answer whose code the caller said it handles.
        case tolerated(code: String, message: String)
    }

    /// As `call`, but an error answer whose code is in `tolerating` is returned, not thrown.
    func attempt(_ method: String, _ path: String, query: [(String, String)] = [], body: Data? = nil, contentType: String? = nil, tolerating: Set<String>, doing: String) async throws -> Outcome {
        var retries = 0
        while true {
            let response = try await client.send(method, path, query: query, body: body, headers: contentType.map { ["Content-Type": $0] } ?? [:], accept: Set(100..<600), doing: doing)
            if (200..<300).contains(response.status) {
                guard !response.body.isEmpty else { return .answer(AWSXML(name: "")) }
                do {
                    return .answer(try AWSXML.parse(response.body))
                } catch {
                    throw ProviderError(.rejected, provider: Route53Provider.code, "\(doing): \(name) answered \(response.status) with XML that cannot be read (\(error.reason)): \(ProviderAPIClient.start(of: response.text))")
                }
            }
            let (code, message) = Self.error(in: response)
            if let code, tolerating.contains(code) { return .tolerated(code: code, message: message) }
            let throttled = response.status == 429 || response.status == 503 || code.map(Self.throttlingCodes.contains) == true
            if throttled, retries < maxRetries {
                let wait = backoff(retries)
                Self.logger.debug("\(Route53Provider.code): \(name) answered \(response.status) \(code ?? ""); retrying in \(wait) (retry \(retries + 1) of \(maxRetries))")
                try await Task.sleep(for: wait)
                retries += 1
                continue
            }
            throw await failure(response, code: code, message: message, throttled: throttled, method: method, path: path, doing: doing)
        }
    }

    private func backoff(_ retries: Int) -> Duration {
        let doubled = firstBackoff * (1 << min(retries, 16))
        let jitter = Duration.milliseconds(Int64.random(in: 0...50))
        return min(doubled, longestBackoff) + jitter
    }

    private func failure(_ response: HTTPResponse, code: String?, message: String, throttled: Bool, method: String, path: String, doing: String) async -> ProviderError {
        let refused = response.status == 401 || response.status == 403 || code.map(Self.refusedCodes.contains) == true
        var text = "\(doing): \(name) answered \(response.status)"
        if let code { text += " \(code)" }
        if !message.isEmpty { text += ": \(message)" }
        text += " (\(method) \(path))"
        if refused {
            let origin = credentials.map { " (\($0.source.origin))" } ?? ""
            text += " — check the AWS credentials\(origin) and their permissions (`kubectl certs providers show \(Route53Provider.code)`)"
        } else if throttled {
            text += " — still throttled after \(maxRetries) retries (AWS_MAX_RETRIES); try again later"
        }
        return ProviderError(refused ? .credentialsRefused : .rejected, provider: Route53Provider.code, text)
    }

    /// The error answer's `<Code>` and `<Message>` (Route 53: `ErrorResponse/Error`, STS the
    /// same, some APIs a bare `Error`), else the start of the body.
    static func error(in response: HTTPResponse) -> (code: String?, message: String) {
        guard let xml = try? AWSXML.parse(response.body), let error = xml.first("Error") ?? (xml.child("Code") != nil ? xml : nil) else {
            return (nil, ProviderAPIClient.start(of: response.text.trimmingCharacters(in: .whitespacesAndNewlines)))
        }
        let code = error.text("Code").flatMap { $0.isEmpty ? nil : $0 }
        return (code, ProviderAPIClient.start(of: error.text("Message") ?? ""))
    }
}
