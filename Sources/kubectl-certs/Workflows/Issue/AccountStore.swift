import CertCore
import Foundation

/// The ACME account key lives in a Secret (key `tls.key`, as cert-manager keeps it), so the
/// plugin and cert-manager share one account. A new account is registered only when the CA
/// knows none for the key. Certificates issued at once (`renew`) share one connection per
/// account: one directory fetch, one account lookup, one pool of nonces.
actor AccountStore {
    private let client: KubernetesClient
    private let http: HTTPClient
    private var connected: [String: Task<ACMEClient, any Error>] = [:]

    init(client: KubernetesClient, http: HTTPClient) {
        self.client = client
        self.http = http
    }

    func connect(_ settings: IssueSettings, progress: ProgressDisplay) async throws -> ACMEClient {
        let key = "\(settings.server.directoryURL) \(settings.accountSecret.namespace)/\(settings.accountSecret.name)"
        if let known = connected[key] { return try await known.value }
        let task = Task { try await self.open(settings, progress: progress) }
        connected[key] = task
        do {
            return try await task.value
        } catch {
            connected[key] = nil
            throw error
        }
    }

    private func open(_ settings: IssueSettings, progress: ProgressDisplay) async throws -> ACMEClient {
        let (namespace, name) = settings.accountSecret
        let key: PrivateKey
        if let secret = try await client.getIfPresent(.secrets, name: name, namespace: namespace).map(Secret.init(object:)) {
            guard let pem = secret.data["tls.key"] else {
                throw CommandFailure(message: "Secret \(namespace)/\(name) should hold the ACME account key under tls.key, but has no such key")
            }
            do {
                key = try PrivateKey(pem: String(decoding: pem, as: UTF8.self))
            } catch {
                throw CommandFailure(message: "the ACME account key in Secret \(namespace)/\(name) is not usable: \(error)")
            }
        } else {
            key = try PrivateKey.generate(.ec256)
            var secret = Secret(name: name, namespace: namespace)
            secret.setData("tls.key", Data(try key.pem().utf8))
            secret.labels = [SecretWriter.managedByLabel: SecretWriter.managedByValue]
            secret.annotations = [IssueAnnotations.server: settings.server.directoryURL]
            // Another run may make it first: then use theirs, so that both use one account.
            guard try await createdNew(secret) else { return try await open(settings, progress: progress) }
            progress.note("made a new ACME account key in Secret \(namespace)/\(name)")
        }
        let acme = try await ACMEClient.connect(to: settings.server, accountKey: key, http: http)
        if let account = try await acme.findAccount() {
            progress.note("ACME account \(account.url)")
        } else {
            let account = try await acme.register(contact: settings.email.map { ["mailto:\($0)"] } ?? [], termsOfServiceAgreed: true, externalAccountBinding: settings.externalAccount)
            progress.note("registered ACME account \(account.url)")
        }
        return acme
    }

    /// Creates the Secret; false when one of that name appeared meanwhile.
    private func createdNew(_ secret: Secret) async throws -> Bool {
        do {
            _ = try await client.create(secret.object)
            return true
        } catch {
            guard error.kind == .alreadyExists else { throw error }
            return false
        }
    }
}
