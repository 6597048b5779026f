internal import CertCore
internal import Foundation
internal import Synchronization

/// Where Cloud DNS access tokens come from — a service account key traded at its token URI, or
/// the metadata server of the Compute Engine VM or GKE node (workload identity included) — and
/// the project they are used in. Tokens are kept until a minute before they expire.
final class GoogleCredentials: Sendable {
    enum Source: Sendable {
        case serviceAccount(GoogleServiceAccountKey, tokenEndpoint: ProviderAPIClient)
        case metadataServer(ProviderAPIClient)
    }

    let source: Source
    /// GCE_PROJECT, else the key's project_id; nil asks the metadata server.
    private let configuredProject: String?
    private let token = Mutex<(value: String, until: ContinuousClock.Instant)?>(nil)
    private let project = Mutex<String?>(nil)

    init(source: Source, project: String?) {
        self.source = source
        var configured = project
        if configured == nil, case .serviceAccount(let key, _) = source { configured = key.projectID }
        configuredProject = configured
    }

    /// What the credentials are, in words, for messages.
    var description: String {
        switch source {
        case .serviceAccount(let key, _): return "service account \(key.clientEmail)"
        case .metadataServer(let server): return "the metadata server's default service account (\(server.baseURL))"
        }
    }

    /// A valid access token, fetched when none is kept; `doing` says what it is for.
    func accessToken(doing: String) async throws -> String {
        if let kept = token.withLock({ $0 }), ContinuousClock.now < kept.until { return kept.value }
        let answer: JSONValue
        switch source {
        case .serviceAccount(let key, let endpoint):
            answer = try await exchange(key, at: endpoint, doing: doing)
        case .metadataServer(let server):
            answer = try await server.json("GET", "/computeMetadata/v1/instance/service-accounts/default/token", doing: "\(doing): getting an access token from the metadata server (no GCE_SERVICE_ACCOUNT or GOOGLE_APPLICATION_CREDENTIALS is set)")
        }
        guard let value = answer["access_token"]?.stringValue, !value.isEmpty else {
            throw ProviderError(.rejected, provider: GCloudProvider.code, "\(doing): the token endpoint of \(description) answered without an access_token")
        }
        let lifetime = max(0, (answer["expires_in"]?.numberValue ?? 3600) - 60)
        token.withLock { $0 = (value, ContinuousClock.now + .seconds(lifetime)) }
        return value
    }

    /// The OAuth 2.0 JWT bearer grant; a refused key is refused credentials.
    private func exchange(_ key: GoogleServiceAccountKey, at endpoint: ProviderAPIClient, doing: String) async throws -> JSONValue {
        var form = URLComponents()
        form.queryItems = [URLQueryItem(name: "grant_type", value: "urn:ietf:params:oauth:grant-type:jwt-bearer"), URLQueryItem(name: "assertion", value: try key.assertion())]
        let body = Data((form.percentEncodedQuery ?? "").utf8)
        let gettingToken = "\(doing): getting an access token for \(key.clientEmail)"
        let response = try await endpoint.send("POST", "", body: body, headers: ["Content-Type": "application/x-www-form-urlencoded"], accept: [400, 401], doing: gettingToken)
        if response.status == 400 || response.status == 401 {
            let said = ProviderAPIClient.message(in: response)
            let error = (try? JSONValue.decode(response.body))?["error"]?.stringValue ?? ""
            let refused = ["invalid_grant", "invalid_client", "unauthorized_client", "access_denied"].contains(error)
            throw ProviderError(refused ? .credentialsRefused : .rejected, provider: GCloudProvider.code,
                                "\(gettingToken): the token endpoint answered \(response.status): \(said) (POST \(key.tokenURI))\(refused ? " — check the service account key (it may have been deleted or disabled)" : "")")
        }
        do {
            return try JSONValue.decode(response.body)
        } catch {
            throw ProviderError(.rejected, provider: GCloudProvider.code, "\(gettingToken): the token endpoint answered \(response.status) with a body that is not JSON")
        }
    }

    /// The project whose zones are used: GCE_PROJECT, the key's project_id, or the metadata
    /// server's project.
    func projectID(doing: String) async throws -> String {
        if let configuredProject { return configuredProject }
        if let known = project.withLock({ $0 }) { return known }
        guard case .metadataServer(let server) = source else {
            throw ProviderError(.configuration, provider: GCloudProvider.code, "\(doing): the service account key has no project_id; set GCE_PROJECT")
        }
        let response = try await server.send("GET", "/computeMetadata/v1/project/project-id", headers: ["Accept": "text/plain"], doing: "\(doing): asking the metadata server for the project (or set GCE_PROJECT)")
        let found = response.text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !found.isEmpty, !found.contains("/") else {
            throw ProviderError(.rejected, provider: GCloudProvider.code, "\(doing): the metadata server gave no project id; set GCE_PROJECT")
        }
        project.withLock { $0 = found }
        return found
    }
}
