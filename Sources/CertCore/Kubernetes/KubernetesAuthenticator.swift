import Foundation

/// Produces the credentials for each request: a static token, a token file re-read when it
/// changes, basic auth, or an exec plugin's credential cached until it expires (and fetched
/// again after a 401).
actor KubernetesAuthenticator {
    struct Authorization: Sendable {
        var header: String?
        var clientIdentity: HTTPClientConfiguration.ClientIdentity?
    }

    private let credentials: ClusterConnection.Credentials
    private var cachedExec: ExecCredentialPlugin.Credential?
    private var tokenFileCache: (modified: Date, token: String)?

    init(_ credentials: ClusterConnection.Credentials) {
        self.credentials = credentials
    }

    func authorization() async throws(KubernetesError) -> Authorization {
        switch credentials {
        case .none:
            return Authorization()
        case .token(let token):
            return Authorization(header: "Bearer \(token)")
        case .tokenFile(let path):
            return Authorization(header: "Bearer \(try token(from: path))")
        case .basic(let username, let password):
            return Authorization(header: "Basic " + Data("\(username):\(password)".utf8).base64EncodedString())
        case .exec(let config, let server, let caData):
            if let cached = cachedExec, cached.expires.map({ $0 > Date().addingTimeInterval(10) }) ?? true {
                return Authorization(header: cached.token.map { "Bearer \($0)" }, clientIdentity: cached.clientIdentity)
            }
            let fresh = try await ExecCredentialPlugin(config: config, server: server, certificateAuthorityData: caData).run()
            cachedExec = fresh
            return Authorization(header: fresh.token.map { "Bearer \($0)" }, clientIdentity: fresh.clientIdentity)
        }
    }

    /// After a 401: forget what may have gone stale. Returns whether asking again may help.
    func invalidate() -> Bool {
        switch credentials {
        case .exec:
            cachedExec = nil
            return true
        case .tokenFile:
            tokenFileCache = nil
            return true
        default:
            return false
        }
    }

    private func token(from path: String) throws(KubernetesError) -> String {
        let modified = (try? FileManager.default.attributesOfItem(atPath: path)[.modificationDate] as? Date) ?? .distantPast
        if let cache = tokenFileCache, cache.modified == modified { return cache.token }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw KubernetesError(kind: .configuration, message: "cannot read the token file \(path)")
        }
        let token = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        tokenFileCache = (modified, token)
        return token
    }
}
