import Foundation
import TestSupport
import Testing

/// What a completion costs the API server: one list request, with a page limit, asking for
/// metadata only — so completing `secret/` never fetches Secret data.
@Suite struct ClusterNamesTests {
    let binary = Subprocess.buildDirectory.appendingPathComponent("kubectl-certs").path

    @Test func oneMetadataOnlyListRequest_AgainstScriptedHTTPSServer() throws {
        let api = try ScriptedHTTPSServer()
        try api.answer("GET", "/api/v1/namespaces/shop/secrets", .json("""
            {"kind":"PartialObjectMetadataList","apiVersion":"meta.k8s.io/v1","metadata":{},
             "items":[{"kind":"PartialObjectMetadata","apiVersion":"meta.k8s.io/v1","metadata":{"name":"web-tls","namespace":"shop"}},
                      {"kind":"PartialObjectMetadata","apiVersion":"meta.k8s.io/v1","metadata":{"name":"api-tls","namespace":"shop"}}]}
            """))
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        let ca = try scratch.write("ca.pem", String(decoding: api.caPEM, as: UTF8.self))
        let kubeconfig = try scratch.write("kubeconfig", """
            apiVersion: v1
            kind: Config
            clusters: [{name: scripted, cluster: {server: "\(api.baseURL)", certificate-authority: "\(ca)"}}]
            users: [{name: someone, user: {token: completion-test-token}}]
            contexts: [{name: scripted, context: {cluster: scripted, user: someone, namespace: default}}]
            current-context: scripted

            """)
        let result = try Subprocess.run(binary, ["__complete", "renew", "--kubeconfig", kubeconfig, "-n", "shop", "secret/"])
        #expect(result.status == 0)
        #expect(result.stderr.isEmpty, "\(result.stderr)")
        #expect(result.stdout == "secret/web-tls\nsecret/api-tls\n:4\n")
        let requests = try api.requests
        #expect(requests.count == 1)
        let request = try #require(requests.first)
        #expect(request.query.contains("limit="))
        #expect(request.header("Accept")?.hasPrefix("application/json;as=PartialObjectMetadataList;v=v1;g=meta.k8s.io") == true, "\(request.header("Accept") ?? "no Accept")")
    }
}
