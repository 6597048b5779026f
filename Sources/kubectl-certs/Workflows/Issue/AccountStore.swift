import CertCore
import Foundation

/// The ACME account key lives in a Secret (key `tls.key`, as cert-manager keeps it), so the
/// plugin and cert-manager share one account. A new account is registered only when the CA
/// knows none for the key.
struct AccountStore {
    var client: KubernetesClient
    var http: HTTPClient

    func connect(_ settings: IssueSettings, progress: ProgressDisplay) async throws -> ACMEClient {
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
            secret.annotations = ["kubectl-certs.io/acme-server": settings.server.directoryURL]
            _ = try await client.create(secret.object)
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
}
