import Foundation
import TestSupport
import Testing

/// What a completion costs the API server: one list request, with a page limit, asking for
/// metadata only — so completing `secret/` never fetches Secret data.
@Suite(.lab) struct ClusterNamesTests {
    let binary = Subprocess.buildDirectory.appendingPathComponent("kubectl-certs").path

    static func names(_ names: [String]) -> ScriptedHTTPSServer.Reply {
        .json(#"{"kind":"PartialObjectMetadataList","apiVersion":"meta.k8s.io/v1","metadata":{},"items":["# + names.map { #"{"metadata":{"name":"\#($0)"}}"# }.joined(separator: ",") + "]}")
    }

    /// A kubeconfig in `scratch` whose one context reaches `api` with a token, in `namespace`.
    static func kubeconfig(for api: ScriptedHTTPSServer, namespace: String, in scratch: ScratchDirectory) throws -> String {
        let ca = try scratch.write("ca.pem", String(decoding: api.caPEM, as: UTF8.self))
        return try scratch.write("kubeconfig", """
            apiVersion: v1
            kind: Config
            clusters: [{name: scripted, cluster: {server: "\(api.baseURL)", certificate-authority: "\(ca)"}}]
            users: [{name: someone, user: {token: completion-test-token}}]
            contexts: [{name: scripted, context: {cluster: scripted, user: someone, namespace: \(namespace)}}]
            current-context: scripted

            """)
    }

    @Test func theContextOnTheLineAndItsNamespaceAreTheOnesAsked_AgainstScriptedHTTPSServer() async throws {
        let current = try await ScriptedHTTPSServer()
        let chosen = try await ScriptedHTTPSServer()
        try current.answer("GET", "/api/v1/namespaces", Self.names(["current-only"]))
        try chosen.answer("GET", "/api/v1/namespaces", Self.names(["payments", "ledger"]))
        try chosen.answer("GET", "/apis/networking.k8s.io/v1/namespaces/payments/ingresses", Self.names(["checkout"]))
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        let ca = try scratch.write("ca.pem", String(decoding: current.caPEM, as: UTF8.self))
        let kubeconfig = try scratch.write("kubeconfig", """
            apiVersion: v1
            kind: Config
            clusters:
            - {name: current, cluster: {server: "\(current.baseURL)", certificate-authority: "\(ca)"}}
            - {name: chosen, cluster: {server: "\(chosen.baseURL)", certificate-authority: "\(ca)"}}
            users: [{name: someone, user: {token: completion-test-token}}]
            contexts:
            - {name: current, context: {cluster: current, user: someone}}
            - {name: chosen, context: {cluster: chosen, user: someone, namespace: payments}}
            current-context: current

            """)
        let namespaces = try await Subprocess.run(binary, ["__complete", "status", "--context", "chosen", "-n", ""], environment: ["KUBECONFIG": kubeconfig])
        #expect(namespaces.stdout == "payments\nledger\n:4\n")
        let ingresses = try await Subprocess.run(binary, ["__complete", "issue", "--context=chosen", "ing/"], environment: ["KUBECONFIG": kubeconfig])
        #expect(ingresses.stdout == "ing/checkout\n:4\n")
        #expect(try current.requests.isEmpty)
        #expect(try chosen.requests.map(\.path) == ["/api/v1/namespaces", "/apis/networking.k8s.io/v1/namespaces/payments/ingresses"])
    }

    @Test func oneMetadataOnlyListRequest_AgainstScriptedHTTPSServer() async throws {
        let api = try await ScriptedHTTPSServer()
        try api.answer("GET", "/api/v1/namespaces/shop/secrets", .json("""
            {"kind":"PartialObjectMetadataList","apiVersion":"meta.k8s.io/v1","metadata":{},
             "items":[{"kind":"PartialObjectMetadata","apiVersion":"meta.k8s.io/v1","metadata":{"name":"web-tls","namespace":"shop"}},
                      {"kind":"PartialObjectMetadata","apiVersion":"meta.k8s.io/v1","metadata":{"name":"api-tls","namespace":"shop"}}]}
            """))
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        let kubeconfig = try Self.kubeconfig(for: api, namespace: "default", in: scratch)
        let result = try await Subprocess.run(binary, ["__complete", "renew", "--kubeconfig", kubeconfig, "-n", "shop", "secret/"])
        #expect(result.status == 0)
        #expect(result.stderr.isEmpty, "\(result.stderr)")
        #expect(result.stdout == "secret/web-tls\nsecret/api-tls\n:4\n")
        let requests = try api.requests
        #expect(requests.count == 1)
        let request = try #require(requests.first)
        #expect(request.query.contains("limit="))
        #expect(request.header("Accept")?.hasPrefix("application/json;as=PartialObjectMetadataList;v=v1;g=meta.k8s.io") == true, "\(request.header("Accept") ?? "no Accept")")
    }

    @Test func ingressClassesComeFromTheClusterInOneRequestAndARefusalIsSilent_AgainstScriptedHTTPSServer() async throws {
        let api = try await ScriptedHTTPSServer()
        try api.answer("GET", "/apis/networking.k8s.io/v1/ingressclasses", Self.names(["nginx-public", "traefik-internal"]),
                       .json(#"{"kind":"Status","apiVersion":"v1","status":"Failure","reason":"Forbidden","code":403}"#, status: 403))
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        let kubeconfig = try Self.kubeconfig(for: api, namespace: "shop", in: scratch)
        let classes = try await Subprocess.run(binary, ["__complete", "issue", "-d", "shop.example.test", "--http01", "--ingress-class", ""], environment: ["KUBECONFIG": kubeconfig])
        #expect(classes.stdout == "nginx-public\ntraefik-internal\n:4\n")
        #expect(classes.stderr.isEmpty, "\(classes.stderr)")
        // Cluster-scoped: one request, whatever the namespace; the second is refused.
        let refused = try await Subprocess.run(binary, ["__complete", "http01", "check", "-d", "shop.example.test", "--ingress-class=n"], environment: ["KUBECONFIG": kubeconfig])
        #expect(refused.status == 0)
        #expect(refused.stdout == ":4\n")
        #expect(refused.stderr.isEmpty, "\(refused.stderr)")
        #expect(try api.requests.map(\.path) == ["/apis/networking.k8s.io/v1/ingressclasses", "/apis/networking.k8s.io/v1/ingressclasses"])
    }

    @Test func aServerThatNeverAnswersGivesNoCandidatesAndNoMessage() async throws {
        // Accepts connections and never says a word: the TLS handshake waits until completion's
        // own bound gives up.
        let mute = try await ServerProcess("python3", ["-c", """
            import socket, sys, threading
            listener = socket.socket()
            listener.bind(("127.0.0.1", 0))
            listener.listen(16)
            print("READY", listener.getsockname()[1], flush=True)
            held = []
            def hold():
                while True:
                    held.append(listener.accept())
            threading.Thread(target=hold, daemon=True).start()
            sys.stdin.read()
            """])
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        let kubeconfig = try scratch.write("kubeconfig", """
            apiVersion: v1
            kind: Config
            clusters: [{name: mute, cluster: {server: "https://127.0.0.1:\(mute.port)", insecure-skip-tls-verify: true}}]
            users: [{name: someone, user: {token: completion-test-token}}]
            contexts: [{name: mute, context: {cluster: mute, user: someone}}]
            current-context: mute

            """)
        let result = try await Subprocess.run(binary, ["__complete", "status", "-n", ""], environment: ["KUBECONFIG": kubeconfig])
        #expect(result.status == 0)
        #expect(result.stdout == ":4\n")
        #expect(result.stderr.isEmpty, "\(result.stderr)")
    }
}
