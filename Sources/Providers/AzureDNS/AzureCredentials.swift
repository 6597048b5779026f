internal import CertCore
internal import Foundation
internal import Synchronization

/// Where Azure Resource Manager access tokens come from — a service principal's client secret,
/// a workload identity's federated token (its file is read again for each token: it rotates),
/// or the managed identity of the VM or node (IMDS) — kept until a minute before they expire.
final class AzureCredentials: Sendable {
    enum Source: Sendable {
        case clientSecret(tenant: String, clientID: String, secret: String)
        case workloadIdentity(tenant: String, clientID: String, tokenFile: String)
        /// `clientID` picks a user-assigned identity; nil is the system-assigned one.
        case managedIdentity(clientID: String?)
    }

    let source: Source
    /// The token endpoint's host (`AZURE_AUTHORITY_HOST`) for the first two, IMDS for the last.
    let endpoint: ProviderAPIClient
    /// The resource the token is for (`https://management.azure.com` in the public cloud).
    let resource: String
    private let token = Mutex<(value: String, until: ContinuousClock.Instant)?>(nil)

    init(source: Source, endpoint: ProviderAPIClient, resource: String) {
        self.source = source
        self.endpoint = endpoint
        self.resource = resource
    }

    var description: String {
        switch source {
        case .clientSecret(_, let id, _): return "service principal \(id) (client secret)"
        case .workloadIdentity(_, let id, _): return "workload identity \(id)"
        case .managedIdentity(let id): return id.map { "managed identity \($0)" } ?? "the system-assigned managed identity"
        }
    }

    /// A valid access token, fetched when none is kept; `doing` says what it is for.
    func accessToken(doing: String) async throws -> String {
        if let kept = token.withLock({ $0 }), ContinuousClock.now < kept.until { return kept.value }
        let gettingToken = "\(doing): getting an access token for \(description)"
        let response: HTTPResponse
        switch source {
        case .clientSecret(let tenant, let id, let secret):
            response = try await request(tenant: tenant, form: [("client_id", id), ("client_secret", secret)], doing: gettingToken)
        case .workloadIdentity(let tenant, let id, let file):
            let assertion = FileManager.default.contents(atPath: file).map { String(decoding: $0, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines) } ?? ""
            guard !assertion.isEmpty else {
                throw ProviderError(.configuration, provider: AzureDNSProvider.code, "\(gettingToken): AZURE_FEDERATED_TOKEN_FILE names \(file), which cannot be read or is empty")
            }
            response = try await request(tenant: tenant, form: [("client_id", id), ("client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"), ("client_assertion", assertion)], doing: gettingToken)
        case .managedIdentity(let id):
            var query = [("api-version", "2018-02-01"), ("resource", resource + "/")]
            if let id { query.append(("client_id", id)) }
            response = try await endpoint.send("GET", "/metadata/identity/oauth2/token", query: query, headers: ["Metadata": "true"], accept: [400], doing: "\(gettingToken) from the instance metadata service")
        }
        if response.status == 400 || response.status == 401 {
            let said = ProviderAPIClient.message(in: response)
            let error = (try? JSONValue.decode(response.body))?["error"]?.stringValue ?? ""
            let refused = ["invalid_client", "unauthorized_client", "invalid_grant", "invalid_request", "invalid_resource"].contains(error)
            throw ProviderError(refused ? .credentialsRefused : .rejected, provider: AzureDNSProvider.code, "\(gettingToken): the token endpoint answered \(response.status): \(said)\(refused ? " — check AZURE_TENANT_ID, AZURE_CLIENT_ID and the secret or identity" : "")")
        }
        let answer = (try? JSONValue.decode(response.body)) ?? .null
        guard let value = answer["access_token"]?.stringValue, !value.isEmpty else {
            throw ProviderError(.rejected, provider: AzureDNSProvider.code, "\(gettingToken): the token endpoint answered without an access_token")
        }
        // IMDS gives expires_in as a string, the identity platform as a number.
        let lifetime = answer["expires_in"]?.numberValue ?? answer["expires_in"]?.stringValue.flatMap(Double.init) ?? 3600
        token.withLock { $0 = (value, ContinuousClock.now + .seconds(max(0, lifetime - 60))) }
        return value
    }

    /// The client credentials grant at `{authority}/{tenant}/oauth2/v2.0/token`.
    private func request(tenant: String, form: [(String, String)], doing: String) async throws -> HTTPResponse {
        // A form body, every character but the unreserved ones escaped (a secret may hold & = +).
        let body = ([("grant_type", "client_credentials"), ("scope", resource + "/.default")] + form).map { "\(Self.escaped($0.0))=\(Self.escaped($0.1))" }.joined(separator: "&")
        let path = "/\(Self.escaped(tenant))/oauth2/v2.0/token"
        return try await endpoint.send("POST", path, body: Data(body.utf8), headers: ["Content-Type": "application/x-www-form-urlencoded"], accept: [400, 401], doing: doing)
    }

    static func escaped(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: "-._~"))) ?? text
    }
}
