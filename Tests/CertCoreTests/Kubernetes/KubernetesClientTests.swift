@testable import CertCore
import Foundation
import Logging
import Synchronization
import TestSupport
import Testing

/// The Kubernetes client against the lab's Kubernetes API test server (`scripts/lab up kube`).
@Suite(.lab) struct KubernetesClientTests {
    struct KubeLab {
        let kubeconfig: String
        let serverURL: String

        init() throws {
            kubeconfig = try Lab.require("LAB_KUBECONFIG", component: "kube")
            serverURL = try Lab.require("KUBE_TEST_SERVER_URL", component: "kube")
        }

        func client(context: String = "lab-admin", namespace: String? = nil, logger: Logger = Logger(label: "test")) throws -> KubernetesClient {
            try KubernetesClient(options: KubeConfigOptions(kubeconfig: kubeconfig, context: context, namespace: namespace), logger: logger)
        }

        /// A fresh namespace for one test.
        func namespace(_ client: KubernetesClient) async throws -> String {
            let name = uniqueLabel("t")
            _ = try await client.create(KubernetesObject(.namespaces, name: name))
            return name
        }

        func fault(_ body: JSONValue) async throws {
            let admin = try client()
            _ = try await admin.request("POST", "/_test/faults", body: body)
        }
    }

    static func tlsSecret(_ name: String, namespace: String) -> Secret {
        var secret = Secret(name: name, namespace: namespace)
        secret.type = Secret.tlsType
        secret.data = ["tls.crt": Data("CERT".utf8), "tls.key": Data("KEY".utf8)]
        return secret
    }

    @Test func createGetUpdateConflictPatchDelete_AgainstKubeTestServer() async throws {
        let lab = try KubeLab()
        let client = try lab.client()
        let namespace = try await lab.namespace(client)
        var secret = Self.tlsSecret("web-tls", namespace: namespace)
        secret.labels = ["app": "web"]
        let created = Secret(object: try await client.create(secret.object))
        #expect(created.object.uid?.isEmpty == false)
        let version = try #require(created.object.resourceVersion)

        let again = await #expect(throws: KubernetesError.self) { try await client.create(secret.object) }
        #expect(again?.kind == .alreadyExists)
        #expect(again?.message.contains("already exists") == true)

        var fetched = try await client.get(Secret.self, name: "web-tls", namespace: namespace)
        #expect(fetched.data["tls.crt"] == Data("CERT".utf8))
        fetched.annotations = ["owner": "me"]
        let updated = try await client.update(fetched.object)
        #expect(updated.resourceVersion != version)

        // The stale copy (old resourceVersion) must be refused, not silently applied.
        var stale = created
        stale.annotations = ["owner": "someone else"]
        let conflict = await #expect(throws: KubernetesError.self) { try await client.update(stale.object) }
        #expect(conflict?.kind == .conflict)

        let patched = Secret(object: try await client.mergePatch(.secrets, name: "web-tls", namespace: namespace, patch: ["metadata": ["labels": ["tier": "front"]]]))
        #expect(patched.labels == ["app": "web", "tier": "front"])

        try await client.delete(.secrets, name: "web-tls", namespace: namespace)
        let gone = await #expect(throws: KubernetesError.self) { try await client.get(.secrets, name: "web-tls", namespace: namespace) }
        #expect(gone?.kind == .notFound)
        #expect(gone?.message == "Error from server (NotFound): secrets \"web-tls\" not found")
        #expect(try await client.getIfPresent(.secrets, name: "web-tls", namespace: namespace) == nil)
    }

    @Test func changingASecretsTypeIsInvalid_AgainstKubeTestServer() async throws {
        let lab = try KubeLab()
        let client = try lab.client()
        let namespace = try await lab.namespace(client)
        var secret = Secret(object: try await client.create(Self.tlsSecret("typed", namespace: namespace).object))
        secret.type = "Opaque"
        let error = await #expect(throws: KubernetesError.self) { try await client.update(secret.object) }
        #expect(error?.kind == .invalid)
    }

    @Test func fieldsTheClientDoesNotKnowSurviveAReadModifyWrite_AgainstKubeTestServer() async throws {
        let lab = try KubeLab()
        let client = try lab.client()
        let namespace = try await lab.namespace(client)
        var ingress = Ingress(name: "web", namespace: namespace)
        ingress.object[["spec"]] = [
            "ingressClassName": "nginx",
            "rules": [["host": "shop.example.test", "http": ["paths": [["path": "/", "pathType": "Prefix", "backend": ["service": ["name": "web", "port": ["number": 80]]]]]]]],
            "tls": [["hosts": ["shop.example.test"], "secretName": "shop-tls"]],
        ]
        _ = try await client.create(ingress.object)
        var fetched = try await client.get(Ingress.self, name: "web", namespace: namespace)
        fetched.annotations["cert-manager.io/cluster-issuer"] = "lab"
        _ = try await client.update(fetched.object)
        let final = try await client.get(Ingress.self, name: "web", namespace: namespace)
        #expect(final.object[["spec", "ingressClassName"]]?.stringValue == "nginx")
        #expect(final.object[["spec", "rules"]]?.arrayValue?.first?["http"]?["paths"]?.arrayValue?.count == 1)
        #expect(final.tls == [Ingress.TLS(hosts: ["shop.example.test"], secretName: "shop-tls")])
        #expect(final.issuerReference == IssuerReference(name: "lab", kind: "ClusterIssuer"))
    }

    @Test func listsPageAndRestartWhenTheContinueTokenExpires_AgainstKubeTestServer() async throws {
        let lab = try KubeLab()
        let client = try lab.client()
        let namespace = try await lab.namespace(client)
        for index in 0..<25 {
            var secret = Self.tlsSecret("s\(index)", namespace: namespace)
            secret.labels = ["batch": index % 2 == 0 ? "even" : "odd"]
            _ = try await client.create(secret.object)
        }
        let first = try await client.listPage(.secrets, namespace: namespace, limit: 10)
        #expect(first.items.count == 10)
        #expect(first.continueToken != nil)
        #expect(first.items.allSatisfy { $0.kind == "Secret" && $0.apiVersion == "v1" })

        let all = try await client.list(.secrets, namespace: namespace, pageSize: 10)
        #expect(Set(all.map(\.name)).count == 25)

        let even = try await client.list(.secrets, namespace: namespace, labelSelector: "batch=even", pageSize: 5)
        #expect(even.count == 13)
        let named = try await client.list(.secrets, namespace: namespace, fieldSelector: "metadata.name=s3")
        #expect(named.map(\.name) == ["s3"])

        try await lab.fault(["expireContinue": true])
        // (Expiring every continue token so far is harmless to other tests: clients restart.)
        let restarted = try await client.list(.secrets, namespace: namespace, pageSize: 10)
        #expect(Set(restarted.map(\.name)).count == 25)
    }

    @Test func tooManyRequestsAreRetriedAfterTheirRetryAfter_AgainstKubeTestServer() async throws {
        let lab = try KubeLab()
        let client = try lab.client()
        let namespace = try await lab.namespace(client)
        // Faults only for this test's namespace: other tests share the server.
        try await lab.fault(["status": 429, "count": 2, "retryAfter": 1, "path": .string("/namespaces/\(namespace)/")])
        let list = try await client.list(.secrets, namespace: namespace)
        #expect(list.isEmpty)

        try await lab.fault(["status": 500, "count": 1, "path": .string("/namespaces/\(namespace)/")])
        let error = await #expect(throws: KubernetesError.self) { try await client.list(.secrets, namespace: namespace) }
        #expect(error?.kind == .server)
    }

    @Test func aReaderIsForbiddenOutsideItsNamespace_AgainstKubeTestServer() async throws {
        let lab = try KubeLab()
        let reader = try lab.client(context: "lab-reader")
        let allowed = try await reader.list(.secrets, namespace: "team-a")
        #expect(allowed.allSatisfy { $0.namespace == "team-a" })
        let error = await #expect(throws: KubernetesError.self) { try await reader.list(.secrets, namespace: "team-b") }
        #expect(error?.kind == .forbidden)
        #expect(error?.message.hasPrefix("Error from server (Forbidden): secrets is forbidden: User \"reader\"") == true)
        let ingresses = await #expect(throws: KubernetesError.self) { try await reader.list(.ingresses, namespace: "team-a") }
        #expect(ingresses?.kind == .forbidden)
    }

    @Test func aKubeconfigNamingFilesByRelativePathWorksForCertificatesAndTokenFiles_AgainstKubeTestServer() async throws {
        let files = try Lab.require("LAB_KUBECONFIG_FILES", component: "kube")
        // Run from elsewhere: the paths resolve against the kubeconfig's directory, not ours.
        let admin = try KubernetesClient(options: KubeConfigOptions(kubeconfig: files, context: "lab-admin"))
        #expect(try await admin.list(.namespaces, namespace: nil).contains { $0.name == "kube-system" })
        let reader = try KubernetesClient(options: KubeConfigOptions(kubeconfig: files, context: "lab-reader", namespace: "team-a"))
        guard case .tokenFile = reader.connection.credentials else { Issue.record("expected a token file"); return }
        _ = try await reader.list(.secrets, namespace: "team-a")
        let refused = await #expect(throws: KubernetesError.self) { try await reader.list(.secrets, namespace: "kube-system") }
        #expect(refused?.kind == .forbidden)
    }

    @Test func aWrongTokenIsUnauthorizedWithAHint_AgainstKubeTestServer() async throws {
        let lab = try KubeLab()
        var connection = try lab.client().connection
        connection.tls.clientIdentity = nil
        connection.credentials = .token("not-a-token")
        let error = await #expect(throws: KubernetesError.self) { try await KubernetesClient(connection: connection).list(.secrets, namespace: "team-a") }
        #expect(error?.kind == .unauthorized)
        #expect(error?.message.contains("check the user of your kubeconfig context") == true)
        #expect(error?.message.contains("not-a-token") == false)
    }

    @Test func serverSideApplyOwnsFieldsAndConflictsWithoutForce_AgainstKubeTestServer() async throws {
        let lab = try KubeLab()
        let client = try lab.client()
        let namespace = try await lab.namespace(client)
        var secret = Self.tlsSecret("applied", namespace: namespace)
        secret.annotations = ["kubectl-certs.io/domains": "a.example.test"]
        _ = try await client.apply(secret.object, fieldManager: "kubectl-certs")
        var other = Self.tlsSecret("applied", namespace: namespace)
        other.data = ["tls.crt": Data("OTHER".utf8), "tls.key": Data("KEY".utf8)]
        let conflict = await #expect(throws: KubernetesError.self) { try await client.apply(other.object, fieldManager: "someone-else") }
        #expect(conflict?.kind == .conflict)
        let forced = Secret(object: try await client.apply(other.object, fieldManager: "someone-else", force: true))
        #expect(forced.data["tls.crt"] == Data("OTHER".utf8))
    }

    @Test func execPluginCredentialsAreFetchedAgainAfterA401_AgainstKubeTestServer() async throws {
        let lab = try KubeLab()
        let tokenFile = try Lab.require("LAB_KUBE_READER_TOKEN_FILE", component: "kube")
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("exec-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let counter = dir.appendingPathComponent("runs").path
        // The first run hands out a token the server refuses; later runs the reader's.
        let script = dir.appendingPathComponent("plugin.sh").path
        try """
        #!/bin/sh
        echo run >> \(counter)
        if [ "$(wc -l < \(counter))" -le 1 ]; then token=wrong; else token=$(cat \(tokenFile)); fi
        printf '{"apiVersion":"client.authentication.k8s.io/v1beta1","kind":"ExecCredential","status":{"token":"%s"}}' "$token"
        """.write(toFile: script, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: script)
        let admin = try lab.client()
        var connection = admin.connection
        connection.tls.clientIdentity = nil
        connection.credentials = .exec(KubeConfig.ExecConfig(apiVersion: "client.authentication.k8s.io/v1beta1", command: script), server: lab.serverURL, certificateAuthorityData: nil)
        let client = KubernetesClient(connection: connection)
        _ = try await client.list(.secrets, namespace: "team-a")
        let runs = try String(contentsOfFile: counter, encoding: .utf8).split(separator: "\n").count
        #expect(runs == 2)
    }

    @Test func tracesRedactSecretDataAndCredentials_AgainstKubeTestServer() async throws {
        let lab = try KubeLab()
        let messages = MessageLog()
        var logger = Logger(label: "trace") { _ in CollectingHandler(log: messages) }
        logger.logLevel = .trace
        let client = try lab.client(logger: logger)
        let namespace = try await lab.namespace(client)
        var secret = Self.tlsSecret("private", namespace: namespace)
        secret.data = ["tls.crt": Data("CERT".utf8), "tls.key": Data("TOP-SECRET-KEY".utf8)]
        _ = try await client.create(secret.object)
        _ = try await client.get(.secrets, name: "private", namespace: namespace)
        let text = messages.all.joined(separator: "\n")
        #expect(text.contains("GET \(lab.serverURL)/api/v1/namespaces/\(namespace)/secrets/private 200"))
        #expect(text.contains("<redacted>"))
        #expect(!text.contains(Data("TOP-SECRET-KEY".utf8).base64EncodedString()))
        #expect(!text.contains("TOP-SECRET-KEY"))
    }
}

final class MessageLog: Sendable {
    private let messages = Mutex<[String]>([])
    func append(_ message: String) { messages.withLock { $0.append(message) } }
    var all: [String] { messages.withLock { $0 } }
}

struct CollectingHandler: LogHandler {
    let log: MessageLog
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .trace
    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }
    func log(event: LogEvent) {
        log.append(event.message.description)
    }
}
