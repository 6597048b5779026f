import Foundation
import TestSupport
import Testing

/// Holds lab/kube-test-server to the real protocol: the real kubectl (1.32) creates, reads,
/// lists, applies, patches and deletes Secrets, Ingresses and cert-manager Certificates on it, and
/// prints the server's errors the way it prints kube-apiserver's. Each test works in its own namespace.
@Suite(.lab) struct KubectlFidelityTests {
    static let ingressAndCertificate = """
        apiVersion: networking.k8s.io/v1
        kind: Ingress
        metadata:
          name: web
          namespace: NS
          labels: {app: web}
        spec:
          ingressClassName: nginx
          tls:
          - hosts: [web.example.test]
            secretName: web-tls
          rules:
          - host: web.example.test
            http:
              paths:
              - path: /
                pathType: Prefix
                backend: {service: {name: web, port: {number: 80}}}
        ---
        apiVersion: cert-manager.io/v1
        kind: Certificate
        metadata:
          name: web
          namespace: NS
        spec:
          secretName: web-tls
          dnsNames: [web.example.test]
          issuerRef: {name: lab, kind: ClusterIssuer}
        ---
        apiVersion: v1
        kind: Secret
        metadata:
          name: settings
          namespace: NS
          labels: {tier: backend}
        data:
          mode: ZmFzdA==

        """

    @Test func createNamespaceAndTLSSecretFromFiles_AgainstKubeTestServer() async throws {
        let kube = try KubeTestCluster()
        let ns = try await kube.makeNamespace("tls")
        defer { kube.dropNamespace(ns) }
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        let key = scratch.url.appendingPathComponent("tls.key").path
        let cert = scratch.url.appendingPathComponent("tls.crt").path
        let openssl = try await Subprocess.run("openssl", [
            "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
            "-keyout", key, "-out", cert, "-subj", "/CN=web.example.test", "-days", "1",
        ])
        try #require(openssl.status == 0, "openssl: \(openssl.stderr)")

        let created = try await kube.succeed(["create", "secret", "tls", "web-tls", "--cert", cert, "--key", key, "-n", ns])
        #expect(created == "secret/web-tls created\n")

        let secret = try await kube.json(["get", "secret", "web-tls", "-n", ns])
        #expect(secret["kind"] as? String == "Secret")
        #expect(secret["type"] as? String == "kubernetes.io/tls")
        let stored = try #require(dig(secret, "data", "tls.crt") as? String)
        #expect(Data(base64Encoded: stored) == FileManager.default.contents(atPath: cert))
        #expect((dig(secret, "metadata", "uid") as? String)?.isEmpty == false)
        #expect(Int(dig(secret, "metadata", "resourceVersion") as? String ?? "") != nil)

        let rows = tableRows(try await kube.succeed(["get", "secrets", "-n", ns]))
        #expect(rows.first == ["NAME", "TYPE", "DATA", "AGE"])
        #expect(rows.dropFirst().map { Array($0.prefix(3)) } == [["web-tls", "kubernetes.io/tls", "2"]])
    }

    @Test func createFromFileThenGetAsYAMLJSONAndTable_AgainstKubeTestServer() async throws {
        let kube = try KubeTestCluster()
        let ns = try await kube.makeNamespace("create")
        defer { kube.dropNamespace(ns) }
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        let file = try scratch.write("objects.yaml", Self.ingressAndCertificate.replacingOccurrences(of: "NS", with: ns))

        let created = try await kube.succeed(["create", "-f", file])
        #expect(created == """
            ingress.networking.k8s.io/web created
            certificate.cert-manager.io/web created
            secret/settings created

            """)

        let yaml = try await kube.succeed(["get", "ingress", "web", "-n", ns, "-o", "yaml"])
        #expect(yaml.hasPrefix("apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata:\n"))
        #expect(yaml.contains("  generation: 1\n"))
        #expect(yaml.contains("  namespace: \(ns)\n"))
        #expect(yaml.contains("    secretName: web-tls\n"))
        #expect(!yaml.contains("managedFields"), "kubectl hides managedFields unless asked")

        let certificate = try await kube.json(["get", "certificate", "web", "-n", ns])
        #expect(certificate["apiVersion"] as? String == "cert-manager.io/v1")
        #expect(dig(certificate, "spec", "dnsNames") as? [String] == ["web.example.test"])
        #expect(dig(certificate, "metadata", "generation") as? Int == 1)
        #expect((dig(certificate, "metadata", "creationTimestamp") as? String)?.hasSuffix("Z") == true)

        let ingresses = tableRows(try await kube.succeed(["get", "ing", "-n", ns]))
        #expect(ingresses.first == ["NAME", "CLASS", "HOSTS", "ADDRESS", "PORTS", "AGE"])
        #expect(ingresses.dropFirst().map { Array($0.prefix(3)) } == [["web", "nginx", "web.example.test"]])
        #expect(ingresses.dropFirst().first?.contains("80, 443") == true)

        let certificates = tableRows(try await kube.succeed(["get", "certs", "-n", ns, "-o", "wide"]))
        #expect(certificates.first == ["NAME", "READY", "SECRET", "ISSUER", "STATUS", "AGE"])
        #expect(certificates.dropFirst().first?.starts(with: ["web", "web-tls", "lab"]) == true)

        let names = try await kube.succeed(["get", "secret,ingress,certificate", "-n", ns, "-o", "name"])
        #expect(names == "secret/settings\ningress.networking.k8s.io/web\ncertificate.cert-manager.io/web\n")
    }

    @Test func listAcrossNamespacesWithSelectors_AgainstKubeTestServer() async throws {
        let kube = try KubeTestCluster()
        let first = try await kube.makeNamespace("list-a")
        defer { kube.dropNamespace(first) }
        let second = try await kube.makeNamespace("list-b")
        defer { kube.dropNamespace(second) }
        let mark = uniqueLabel("m")
        // Distinct from any other run's, as a field selector across namespaces sees them all.
        let three = uniqueLabel("three")
        for (ns, name, tier) in [(first, "one", "web"), (first, "two", "db"), (second, three, "web")] {
            try await kube.succeed(["create", "secret", "generic", name, "-n", ns, "--from-literal=k=v"])
            try await kube.succeed(["label", "secret", name, "-n", ns, "mark=\(mark)", "tier=\(tier)"])
        }

        let all = tableRows(try await kube.succeed(["get", "secrets", "-A", "-l", "mark=\(mark)"]))
        #expect(all.first == ["NAMESPACE", "NAME", "TYPE", "DATA", "AGE"])
        let listed = all.dropFirst().map { [$0[0], $0[1]] }
        #expect(Set(listed) == [[first, "one"], [first, "two"], [second, three]])

        let web = try await kube.succeed(["get", "secrets", "-A", "-l", "mark=\(mark),tier in (web)", "-o", "name"])
        #expect(web.split(separator: "\n").count == 2)
        let notWeb = try await kube.succeed(["get", "secrets", "-n", first, "-l", "mark=\(mark),tier!=web", "-o", "name"])
        #expect(notWeb == "secret/two\n")
        let byName = try await kube.succeed(["get", "secrets", "-A", "--field-selector", "metadata.name=\(three)", "-o", "name"])
        #expect(byName == "secret/\(three)\n")
        let paged = try await kube.succeed(["get", "secrets", "-A", "-l", "mark=\(mark)", "--chunk-size=1", "-o", "name"])
        #expect(paged.split(separator: "\n").count == 3, "pages of one item must add up to all three")
    }

    @Test func clientSideApplyCreatesConfiguresAndLeavesUnchanged_AgainstKubeTestServer() async throws {
        let kube = try KubeTestCluster()
        let ns = try await kube.makeNamespace("apply")
        defer { kube.dropNamespace(ns) }
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        let manifest = Self.ingressAndCertificate.replacingOccurrences(of: "NS", with: ns)
        let file = try scratch.write("objects.yaml", manifest)

        #expect(try await kube.succeed(["apply", "-f", file]) == """
            ingress.networking.k8s.io/web created
            certificate.cert-manager.io/web created
            secret/settings created

            """)
        let changed = manifest
            .replacingOccurrences(of: "ZmFzdA==", with: "c2xvdw==")
            .replacingOccurrences(of: "dnsNames: [web.example.test]", with: "dnsNames: [web.example.test, www.example.test]")
        _ = try scratch.write("objects.yaml", changed)
        #expect(try await kube.succeed(["apply", "-f", file]) == """
            ingress.networking.k8s.io/web unchanged
            certificate.cert-manager.io/web configured
            secret/settings configured

            """)
        #expect(try await kube.succeed(["apply", "-f", file]).contains("secret/settings unchanged"))

        let secret = try await kube.json(["get", "secret", "settings", "-n", ns])
        #expect(dig(secret, "data", "mode") as? String == "c2xvdw==")
        let lastApplied = dig(secret, "metadata", "annotations") as? [String: String]
        #expect(lastApplied?["kubectl.kubernetes.io/last-applied-configuration"]?.contains("c2xvdw==") == true)
        let certificate = try await kube.json(["get", "certificate", "web", "-n", ns])
        #expect(dig(certificate, "spec", "dnsNames") as? [String] == ["web.example.test", "www.example.test"])
        #expect(dig(certificate, "metadata", "generation") as? Int == 2)
    }

    /// `kubectl get -o yaml` prints a `kind: List`; kubectl validates a List on the client against
    /// the server's OpenAPI v2 document before applying its items.
    @Test func getAsYAMLPipedIntoApply_AgainstKubeTestServer() async throws {
        let kube = try KubeTestCluster()
        let ns = try await kube.makeNamespace("relist")
        defer { kube.dropNamespace(ns) }
        try await kube.succeed(["create", "secret", "generic", "alpha", "-n", ns, "--from-literal=colour=red"])
        try await kube.succeed(["create", "secret", "generic", "beta", "-n", ns, "--from-literal=colour=blue"])
        let list = try await kube.succeed(["get", "secrets", "-n", ns, "-o", "yaml"])
        #expect(list.hasPrefix("apiVersion: v1\nitems:\n"))

        let applied = try await kube.kubectl(["apply", "-f", "-"], input: Data(list.utf8))
        #expect(applied.status == 0, "kubectl apply of a List exited \(applied.status): \(applied.stderr)")
        #expect(applied.stdout == "secret/alpha configured\nsecret/beta configured\n")
        #expect(applied.stderr.contains("secrets/alpha is missing the kubectl.kubernetes.io/last-applied-configuration annotation"))
        let alpha = try await kube.json(["get", "secret", "alpha", "-n", ns])
        #expect((dig(alpha, "metadata", "annotations") as? [String: String])?["kubectl.kubernetes.io/last-applied-configuration"] != nil)
    }

    static let secretAndIngressList = """
        apiVersion: v1
        kind: List
        items:
        - apiVersion: v1
          kind: Secret
          metadata: {name: listed, namespace: NS, labels: {from: list}}
          type: Opaque
          data: {mode: ZmFzdA==}
        - apiVersion: networking.k8s.io/v1
          kind: Ingress
          metadata: {name: listed, namespace: NS}
          spec:
            ingressClassName: nginx
            tls:
            - hosts: [list.example.test]
              secretName: listed-tls
            rules:
            - host: list.example.test
              http:
                paths:
                - {path: /, pathType: Prefix, backend: {service: {name: web, port: {number: 80}}}}

        """

    @Test func applyAListOfASecretAndAnIngress_AgainstKubeTestServer() async throws {
        let kube = try KubeTestCluster()
        let ns = try await kube.makeNamespace("list")
        defer { kube.dropNamespace(ns) }
        let manifest = Self.secretAndIngressList.replacingOccurrences(of: "NS", with: ns)

        let created = try await kube.kubectl(["apply", "-f", "-"], input: Data(manifest.utf8))
        #expect(created.status == 0, "kubectl apply exited \(created.status): \(created.stderr)")
        #expect(created.stdout == "secret/listed created\ningress.networking.k8s.io/listed created\n")
        #expect(created.stderr.isEmpty, "unexpected warnings: \(created.stderr)")

        let changed = manifest
            .replacingOccurrences(of: "ZmFzdA==", with: "c2xvdw==")
            .replacingOccurrences(of: "hosts: [list.example.test]", with: "hosts: [list.example.test, www.list.example.test]")
        let configured = try await kube.kubectl(["apply", "-f", "-"], input: Data(changed.utf8))
        #expect(configured.stdout == "secret/listed configured\ningress.networking.k8s.io/listed configured\n")
        #expect(configured.stderr.isEmpty, "unexpected warnings: \(configured.stderr)")
        let again = try await kube.kubectl(["apply", "-f", "-"], input: Data(changed.utf8))
        #expect(again.stdout == "secret/listed unchanged\ningress.networking.k8s.io/listed unchanged\n")

        let ingress = try await kube.json(["get", "ingress", "listed", "-n", ns])
        let tls = dig(ingress, "spec", "tls") as? [[String: Any]]
        #expect(tls?.first?["hosts"] as? [String] == ["list.example.test", "www.list.example.test"])
        let secret = try await kube.json(["get", "secret", "listed", "-n", ns])
        #expect(dig(secret, "data", "mode") as? String == "c2xvdw==")
    }

    /// As against kube-apiserver, kubectl refuses a List whose item has a field its kind does not
    /// have, before sending anything.
    @Test func applyRefusesAListWithAnUnknownField_AgainstKubeTestServer() async throws {
        let kube = try KubeTestCluster()
        let ns = try await kube.makeNamespace("badlist")
        defer { kube.dropNamespace(ns) }
        let manifest = Self.secretAndIngressList.replacingOccurrences(of: "NS", with: ns)
            .replacingOccurrences(of: "data: {mode: ZmFzdA==}", with: "dta: {mode: ZmFzdA==}")

        let refused = try await kube.kubectl(["apply", "-f", "-"], input: Data(manifest.utf8))
        #expect(refused.status != 0)
        #expect(refused.stderr.contains(#"unknown field "dta""#), "\(refused.stderr)")
        #expect(refused.stderr.contains("--validate=false"))
        #expect(try await kube.succeed(["get", "secrets,ingresses", "-n", ns, "-o", "name"]).isEmpty, "nothing may be created")
    }

    @Test func serverSideApplyConflictsWithASecondManager_AgainstKubeTestServer() async throws {
        let kube = try KubeTestCluster()
        let ns = try await kube.makeNamespace("ssa")
        defer { kube.dropNamespace(ns) }
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        let mine = try scratch.write("mine.yaml", """
            apiVersion: v1
            kind: Secret
            metadata: {name: shared, namespace: \(ns), labels: {owner: first}}
            data: {key: Zmlyc3Q=}

            """)
        let theirs = try scratch.write("theirs.yaml", """
            apiVersion: v1
            kind: Secret
            metadata: {name: shared, namespace: \(ns)}
            data: {key: c2Vjb25k, extra: eA==}

            """)

        #expect(try await kube.succeed(["apply", "--server-side", "-f", mine]) == "secret/shared serverside-applied\n")
        #expect(try await kube.succeed(["apply", "--server-side", "-f", mine]) == "secret/shared serverside-applied\n")

        let conflict = try await kube.kubectl(["apply", "--server-side", "--field-manager=second", "-f", theirs])
        #expect(conflict.status != 0)
        #expect(conflict.stderr.hasPrefix("error: Apply failed with 1 conflict: conflict with \"kubectl\": .data.key\n"),
                "\(conflict.stderr)")
        #expect(conflict.stderr.contains("--force-conflicts"))
        #expect(dig(try await kube.json(["get", "secret", "shared", "-n", ns]), "data", "key") as? String == "Zmlyc3Q=")

        #expect(try await kube.succeed(["apply", "--server-side", "--field-manager=second", "--force-conflicts", "-f", theirs])
                == "secret/shared serverside-applied\n")
        let secret = try await kube.json(["get", "secret", "shared", "-n", ns, "--show-managed-fields"])
        #expect(dig(secret, "data") as? [String: String] == ["key": "c2Vjb25k", "extra": "eA=="])
        #expect(dig(secret, "metadata", "labels") as? [String: String] == ["owner": "first"])
        let managers = (dig(secret, "metadata", "managedFields") as? [[String: Any]] ?? [])
            .compactMap { entry -> String? in
                guard let manager = entry["manager"] as? String, let operation = entry["operation"] as? String else { return nil }
                return "\(manager)/\(operation)"
            }
        #expect(Set(managers) == ["kubectl/Apply", "second/Apply"])

        // The first manager drops the label from its configuration: the server removes it.
        _ = try scratch.write("mine.yaml", """
            apiVersion: v1
            kind: Secret
            metadata: {name: shared, namespace: \(ns)}
            data: {key: c2Vjb25k}

            """)
        try await kube.succeed(["apply", "--server-side", "-f", mine])
        #expect(dig(try await kube.json(["get", "secret", "shared", "-n", ns]), "metadata", "labels") == nil)
    }

    @Test func patchWithMergeStrategicAndJSONPatches_AgainstKubeTestServer() async throws {
        let kube = try KubeTestCluster()
        let ns = try await kube.makeNamespace("patch")
        defer { kube.dropNamespace(ns) }
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        try await kube.succeed(["create", "-f", try scratch.write("objects.yaml",
                                                          Self.ingressAndCertificate.replacingOccurrences(of: "NS", with: ns))])

        #expect(try await kube.succeed(["patch", "secret", "settings", "-n", ns, "--type", "merge",
                                  "-p", #"{"metadata":{"labels":{"tier":null,"zone":"a"}},"data":{"more":"eWVz"}}"#])
                == "secret/settings patched\n")
        let secret = try await kube.json(["get", "secret", "settings", "-n", ns])
        #expect(dig(secret, "metadata", "labels") as? [String: String] == ["zone": "a"])
        #expect(dig(secret, "data") as? [String: String] == ["mode": "ZmFzdA==", "more": "eWVz"])

        #expect(try await kube.succeed(["patch", "ingress", "web", "-n", ns, "--type", "strategic",
                                  "-p", #"{"spec":{"tls":[{"hosts":["new.example.test"],"secretName":"new-tls"}]}}"#])
                == "ingress.networking.k8s.io/web patched\n")
        let ingress = try await kube.json(["get", "ingress", "web", "-n", ns])
        let tls = dig(ingress, "spec", "tls") as? [[String: Any]]
        #expect(tls?.count == 1)
        #expect(tls?.first?["secretName"] as? String == "new-tls")
        #expect(dig(ingress, "metadata", "generation") as? Int == 2)

        #expect(try await kube.succeed(["patch", "certificate", "web", "-n", ns, "--type", "merge",
                                  "-p", #"{"spec":{"secretName":"other-tls"}}"#])
                == "certificate.cert-manager.io/web patched\n")
        #expect(try await kube.succeed(["patch", "certificate", "web", "-n", ns, "--type", "json",
                                  "-p", #"[{"op":"add","path":"/spec/dnsNames/-","value":"api.example.test"}]"#])
                == "certificate.cert-manager.io/web patched\n")
        let certificate = try await kube.json(["get", "certificate", "web", "-n", ns])
        #expect(dig(certificate, "spec", "secretName") as? String == "other-tls")
        #expect(dig(certificate, "spec", "dnsNames") as? [String] == ["web.example.test", "api.example.test"])

        let unchanged = try await kube.succeed(["patch", "secret", "settings", "-n", ns, "--type", "merge",
                                          "-p", #"{"data":{"more":"eWVz"}}"#])
        #expect(unchanged == "secret/settings patched (no change)\n")

        // Custom resources take no strategic merge patches, as on a real cluster.
        let strategic = try await kube.kubectl(["patch", "certificate", "web", "-n", ns, "--type", "strategic",
                                          "-p", #"{"spec":{"secretName":"x"}}"#])
        #expect(strategic.status != 0)
        #expect(strategic.stderr == """
            error: application/strategic-merge-patch+json is not supported by cert-manager.io/v1, Kind=Certificate: \
            the body of the request was in an unknown format - accepted media types include: \
            application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml

            """)
    }

    @Test func deleteSecretsIngressesAndCertificates_AgainstKubeTestServer() async throws {
        let kube = try KubeTestCluster()
        let ns = try await kube.makeNamespace("delete")
        defer { kube.dropNamespace(ns) }
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        let file = try scratch.write("objects.yaml", Self.ingressAndCertificate.replacingOccurrences(of: "NS", with: ns))
        try await kube.succeed(["create", "-f", file])

        #expect(try await kube.succeed(["delete", "secret", "settings", "-n", ns]) == "secret \"settings\" deleted\n")
        #expect(try await kube.succeed(["delete", "ingress", "web", "-n", ns]) == "ingress.networking.k8s.io \"web\" deleted\n")
        #expect(try await kube.succeed(["delete", "certificate", "web", "-n", ns])
                == "certificate.cert-manager.io \"web\" deleted\n")
        let gone = try await kube.kubectl(["get", "certificate", "web", "-n", ns])
        #expect(gone.stderr == "Error from server (NotFound): certificates.cert-manager.io \"web\" not found\n")
        let empty = try await kube.kubectl(["get", "secrets,ingresses,certificates", "-n", ns])
        #expect(empty.status == 0)
        #expect(empty.stderr == "No resources found in \(ns) namespace.\n")

        try await kube.succeed(["create", "-f", file])
        let all = try await kube.succeed(["delete", "-f", file])
        #expect(all.split(separator: "\n").count == 3)
        #expect(try await kube.succeed(["delete", "namespace", ns]) == "namespace \"\(ns)\" deleted\n")
        let noNamespace = try await kube.kubectl(["get", "namespace", ns])
        #expect(noNamespace.stderr == "Error from server (NotFound): namespaces \"\(ns)\" not found\n")
    }

    @Test func serverErrorsReadLikeKubeAPIServers_AgainstKubeTestServer() async throws {
        let kube = try KubeTestCluster()
        let ns = try await kube.makeNamespace("errors")
        defer { kube.dropNamespace(ns) }
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }

        let missing = try await kube.kubectl(["get", "secret", "nope", "-n", ns])
        #expect(missing.status == 1)
        #expect(missing.stderr == "Error from server (NotFound): secrets \"nope\" not found\n")

        let file = try scratch.write("dup.yaml", """
            apiVersion: v1
            kind: Secret
            metadata: {name: dup, namespace: \(ns)}
            type: kubernetes.io/tls
            data: {tls.crt: eA==, tls.key: eQ==}

            """)
        try await kube.succeed(["create", "-f", file])
        let again = try await kube.kubectl(["create", "-f", file])
        #expect(again.status == 1)
        #expect(again.stderr == "Error from server (AlreadyExists): error when creating \"\(file)\": secrets \"dup\" already exists\n")

        let retype = try await kube.kubectl(["patch", "secret", "dup", "-n", ns, "--type", "merge", "-p", #"{"type":"Opaque"}"#])
        #expect(retype.stderr == "The Secret \"dup\" is invalid: type: Invalid value: \"Opaque\": field is immutable\n")

        let incomplete = try scratch.write("incomplete.yaml", """
            apiVersion: v1
            kind: Secret
            metadata: {name: half, namespace: \(ns)}
            type: kubernetes.io/tls
            data: {tls.crt: eA==}

            """)
        let invalid = try await kube.kubectl(["create", "-f", incomplete])
        #expect(invalid.stderr == "The Secret \"half\" is invalid: data[tls.key]: Required value\n")

        let badName = try await kube.kubectl(["create", "secret", "generic", "Bad_Name", "-n", ns])
        #expect(badName.stderr.contains("Secret \"Bad_Name\" is invalid: metadata.name: Invalid value: \"Bad_Name\": a lowercase RFC 1123 subdomain"))

        let noNamespace = try await kube.kubectl(["create", "secret", "generic", "x", "-n", "\(ns)-missing"])
        #expect(noNamespace.stderr.contains("namespaces \"\(ns)-missing\" not found"))
    }

    @Test func readerIsForbiddenOutsideItsGrant_AgainstKubeTestServer() async throws {
        let kube = try KubeTestCluster()
        let ns = try await kube.makeNamespace("reader")
        defer { kube.dropNamespace(ns) }

        let listed = try await kube.kubectl(["--context", "lab-reader", "get", "secrets", "-n", ns])
        #expect(listed.status == 1)
        #expect(listed.stderr == """
            Error from server (Forbidden): secrets is forbidden: User "reader" cannot list resource "secrets" \
            in API group "" in the namespace "\(ns)"

            """)
        let certificates = try await kube.kubectl(["--context", "lab-reader", "get", "certificates", "-n", "team-a"])
        #expect(certificates.stderr.contains(
            #"certificates.cert-manager.io is forbidden: User "reader" cannot list resource "certificates" in API group "cert-manager.io" in the namespace "team-a""#))
        let deleting = try await kube.kubectl(["--context", "lab-reader", "delete", "secret", "x", "-n", "team-a"])
        #expect(deleting.stderr.contains(
            #"secrets "x" is forbidden: User "reader" cannot delete resource "secrets" in API group "" in the namespace "team-a""#))

        let allowed = try await kube.kubectl(["--context", "lab-reader", "get", "secrets", "-n", "team-a"])
        #expect(allowed.status == 0, "\(allowed.stderr)")
    }
}
