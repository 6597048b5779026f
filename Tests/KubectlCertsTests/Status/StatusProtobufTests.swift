import CertCore
import Foundation
import TestSupport
import Testing

/// `status` lists Secrets and Ingresses in protobuf when the API server offers it, and reports
/// exactly what it reports from JSON answers: the same objects are put on two API test servers of
/// the test's own, one answering protobuf (as kube-apiserver does for built-in kinds) and one
/// answering JSON only.
@Suite(.lab) struct StatusProtobufTests {
    let binary = Subprocess.buildDirectory.appendingPathComponent("kubectl-certs").path

    /// Namespaces, TLS Secrets of distinct certificates (ours, cert-manager's, nobody's, one whose
    /// key belongs to another), an Opaque Secret an Ingress names, Ingresses with several TLS
    /// entries, and a cert-manager Certificate.
    func objects() throws -> String {
        let pki = try TestPKI(name: "Protobuf Status CA")
        var yaml = "apiVersion: v1\nkind: Namespace\nmetadata: {name: shop}\n---\napiVersion: v1\nkind: Namespace\nmetadata: {name: billing}\n"
        func secret(_ name: String, _ namespace: String, type: String = Secret.tlsType, labels: String = "{}", annotations: String = "{}", crt: Data, key: Data) {
            yaml += """
                ---
                apiVersion: v1
                kind: Secret
                type: \(type)
                metadata: {name: \(name), namespace: \(namespace), labels: \(labels), annotations: \(annotations)}
                data: {tls.crt: \(crt.base64EncodedString()), tls.key: \(key.base64EncodedString())}

                """
        }
        let web = try pki.server("web", dnsNames: ["web.shop.example.test", "www.shop.example.test"])
        let api = try pki.server("api", dnsNames: ["api.billing.example.test"])
        let managed = try pki.server("managed", dnsNames: ["managed.shop.example.test"])
        let stray = try pki.server("stray", dnsNames: ["stray.billing.example.test"])
        let opaque = try pki.server("opaque", dnsNames: ["legacy.shop.example.test"])
        secret("web-tls", "shop", labels: "{app.kubernetes.io/managed-by: kubectl-certs}", crt: web.certificatePEM, key: web.keyPEM)
        secret("api-tls", "billing", annotations: "{cert-manager.io/certificate-name: api}", crt: api.certificatePEM, key: api.keyPEM)
        secret("managed-tls", "shop", annotations: "{kubectl-certs.io/managed: \"true\"}", crt: managed.certificatePEM, key: managed.keyPEM)
        secret("stray-tls", "billing", crt: stray.certificatePEM, key: web.keyPEM)
        secret("legacy-tls", "shop", type: "Opaque", crt: opaque.certificatePEM, key: opaque.keyPEM)
        yaml += """
            ---
            apiVersion: networking.k8s.io/v1
            kind: Ingress
            metadata: {name: web, namespace: shop, labels: {tier: front}}
            spec:
              ingressClassName: nginx
              rules: [{host: web.shop.example.test, http: {paths: [{path: /, pathType: Prefix, backend: {service: {name: web, port: {number: 80}}}}]}}]
              tls:
              - {hosts: [web.shop.example.test, www.shop.example.test, extra.shop.example.test], secretName: web-tls}
              - {hosts: [legacy.shop.example.test], secretName: legacy-tls}
              - {hosts: [sni.shop.example.test]}
            ---
            apiVersion: networking.k8s.io/v1
            kind: Ingress
            metadata: {name: gone, namespace: billing}
            spec:
              defaultBackend: {service: {name: gone, port: {name: http}}}
              tls: [{hosts: [gone.billing.example.test], secretName: missing-tls}]
            ---
            apiVersion: cert-manager.io/v1
            kind: Certificate
            metadata: {name: api, namespace: billing}
            spec:
              secretName: api-tls
              dnsNames: [api.billing.example.test]
              issuerRef: {name: lab, kind: ClusterIssuer}

            """
        return yaml
    }

    @Test func theReportFromProtobufAnswersIsTheReportFromJSON_AgainstKubeTestServer() async throws {
        async let protobufCluster = KubeTestCluster.own()
        async let jsonCluster = KubeTestCluster.own(options: ["--json-only"])
        let (protobuf, json) = try await (protobufCluster, jsonCluster)
        let yaml = Data(try objects().utf8)
        for cluster in [protobuf, json] {
            let applied = try await cluster.kubectl(["apply", "-f", "-"], input: yaml)
            try #require(applied.status == 0, "\(applied.stderr)")
        }

        for arguments in [["status", "-A", "-o", "json"], ["status", "-n", "shop", "-o", "wide"], ["status", "-A", "-l", "tier=front", "-o", "yaml"]] {
            let fromProtobuf = try await Subprocess.run(binary, arguments + ["-vv"], environment: ["KUBECONFIG": protobuf.kubeconfig, "NO_COLOR": "1"])
            let fromJSON = try await Subprocess.run(binary, arguments + ["-vv"], environment: ["KUBECONFIG": json.kubeconfig, "NO_COLOR": "1"])
            #expect(fromProtobuf.status == fromJSON.status, "\(arguments): \(fromProtobuf.stderr)")
            #expect(!fromProtobuf.stdout.isEmpty)
            #expect(fromProtobuf.stdout == fromJSON.stdout, "\(arguments)")
            // Secrets and Ingresses came in protobuf; cert-manager's custom resources have none.
            let protobufLists = fromProtobuf.stderr.split(separator: "\n").filter { $0.contains(" 200 (protobuf) in ") }
            #expect(protobufLists.contains { $0.contains("/secrets?") }, "\(fromProtobuf.stderr)")
            #expect(protobufLists.contains { $0.contains("/ingresses?") }, "\(fromProtobuf.stderr)")
            #expect(!protobufLists.contains { $0.contains("/certificates?") }, "\(fromProtobuf.stderr)")
            #expect(!fromJSON.stderr.contains("(protobuf)"), "\(fromJSON.stderr)")
        }

        let report = try JSONValue.decode(Data(try await Subprocess.run(binary, ["status", "-A", "-o", "json"], environment: ["KUBECONFIG": protobuf.kubeconfig]).stdout.utf8))
        let rows = (report["items"]?.arrayValue ?? []).map { "\($0["namespace"]?.stringValue ?? "")/\($0["name"]?.stringValue ?? "") \($0["manager"]?.stringValue ?? "")" }
        #expect(Set(rows) == [
            "shop/ingress/web kubectl-certs", "shop/ingress/web none", "billing/ingress/gone none",
            "billing/certificate/api cert-manager", "shop/secret/managed-tls kubectl-certs", "billing/secret/stray-tls none",
        ], "\(rows)")
    }

    @Test func aForbiddenListAnsweredInProtobufIsANoteAsFromJSON_AgainstKubeTestServer() async throws {
        async let protobufCluster = KubeTestCluster.own()
        async let jsonCluster = KubeTestCluster.own(options: ["--json-only"])
        let (protobuf, json) = try await (protobufCluster, jsonCluster)
        var reports: [String] = []
        for cluster in [protobuf, json] {
            let result = try await Subprocess.run(binary, ["status", "-n", "team-b", "--context", "lab-reader", "-o", "json"], environment: ["KUBECONFIG": cluster.kubeconfig])
            #expect(result.status == 0, "\(result.stderr)")
            reports.append(result.stdout)
        }
        #expect(reports[0] == reports[1])
        let notes = try JSONValue.decode(Data(reports[0].utf8))["notes"]?.arrayValue?.compactMap(\.stringValue) ?? []
        #expect(notes.contains("cannot list Secrets in namespace team-b: forbidden; certificates in them are not shown"), "\(reports[0])")
    }
}
