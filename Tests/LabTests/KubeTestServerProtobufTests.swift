import Foundation
import TestSupport
import Testing

/// Holds lab/kube-test-server's protobuf answers to the real protocol: kubectl's typed commands
/// (`create secret|configmap|namespace|ingress|serviceaccount`, `describe`) ask for
/// `application/vnd.kubernetes.protobuf` first and must print from a protobuf answer exactly what
/// they print from a JSON one. Each test has a server of its own, whose protobuf answers it
/// switches on and off (`/_test/encoding`) over the same stored objects, and reads kubectl's
/// `-v=8` log to see which encoding each answer really had.
@Suite(.lab) struct KubeTestServerProtobufTests {
    static let protobuf = "application/vnd.kubernetes.protobuf"

    // MARK: kubectl's typed commands

    @Test func createPrintsTheSameObjectFromAProtobufAnswerAsFromJSON_AgainstKubeTestServer() async throws {
        let kube = try await KubeTestCluster.own()
        let ns = try await kube.makeNamespace("pb-create")
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        let blob = scratch.url.appendingPathComponent("blob.bin")
        try Data([0x00, 0xFF, 0x10, 0x80, 0x7F]).write(to: blob)
        let namespace = uniqueLabel("kf-pb-created")
        let creates: [(resource: String, arguments: [String])] = [
            ("secret/pb-login", ["create", "secret", "generic", "pb-login", "--from-literal=user=alice",
                                 "--from-literal=empty=", "--type=example.test/login", "-n", ns]),
            ("configmap/pb-settings", ["create", "configmap", "pb-settings", "--from-literal=mode=fast",
                                       "--from-file=blob=\(blob.path)", "-n", ns]),
            ("namespace/\(namespace)", ["create", "namespace", namespace]),
            ("ingress/pb-web", ["create", "ingress", "pb-web", "--class=nginx",
                                "--rule=web.example.test/api*=api:8443,tls=web-tls", "--rule=www.example.test/=web:http",
                                "--default-backend=fallback:80", "--annotation=example.test/owner=team-a", "-n", ns]),
            ("serviceaccount/pb-robot", ["create", "serviceaccount", "pb-robot", "-n", ns]),
        ]
        for create in creates {
            let scope = create.resource.hasPrefix("namespace/") ? [] : ["-n", ns]
            let printed = create.arguments + ["-o", "json", "--show-managed-fields", "-v=8"]

            try await Self.answer(protobuf: true, kube)
            let fromProtobuf = try await kube.kubectl(printed)
            try #require(fromProtobuf.status == 0, "\(create.resource): \(fromProtobuf.stderr)")
            #expect(Self.answerType("POST", in: fromProtobuf.stderr) == Self.protobuf, "\(create.resource)")
            // The same stored object as a JSON answer (kubectl get always asks for JSON).
            let stored = try await kube.succeed(["get", create.resource] + scope + ["-o", "json", "--show-managed-fields"])
            #expect(try Self.parsed(fromProtobuf.stdout) == Self.parsed(stored), "\(create.resource)")
            try await kube.succeed(["delete", create.resource] + scope)

            try await Self.answer(protobuf: false, kube)
            let fromJSON = try await kube.kubectl(printed)
            try #require(fromJSON.status == 0, "\(create.resource): \(fromJSON.stderr)")
            #expect(Self.answerType("POST", in: fromJSON.stderr) == "application/json", "\(create.resource)")
            #expect(Self.withoutServerValues(fromProtobuf.stdout) == Self.withoutServerValues(fromJSON.stdout),
                    "\(create.resource) printed differently from a protobuf answer")
            try await kube.succeed(["delete", create.resource] + scope)
        }
    }

    @Test func describeReadsProtobufAndPrintsWhatItPrintsFromJSON_AgainstKubeTestServer() async throws {
        let kube = try await KubeTestCluster.own()
        let ns = try await Self.shop(kube)
        let describes: [(arguments: [String], protobufReads: [String])] = [
            (["describe", "ingress", "shop", "-n", ns], ["/ingresses/shop", "/events?"]),
            (["describe", "secret", "shop-login", "-n", ns], ["/secrets/shop-login"]),
            (["describe", "serviceaccount", "shop-robot", "-n", ns], ["/serviceaccounts/shop-robot", "/secrets?", "/events?"]),
            (["describe", "configmap", "shop-settings", "-n", ns], ["/configmaps/shop-settings", "/events?"]),
            (["describe", "namespace", ns], ["/namespaces/\(ns)", "/resourcequotas?"]),
        ]
        for describe in describes {
            try await Self.answer(protobuf: true, kube)
            let fromProtobuf = try await kube.kubectl(describe.arguments + ["-v=8"])
            try #require(fromProtobuf.status == 0, "\(fromProtobuf.stderr)")
            for read in describe.protobufReads {
                #expect(Self.answerType("GET", read, in: fromProtobuf.stderr) == Self.protobuf,
                        "\(describe.arguments.joined(separator: " ")): GET …\(read)")
            }
            try await Self.answer(protobuf: false, kube)
            let fromJSON = try await kube.kubectl(describe.arguments)
            #expect(fromJSON.status == 0, "\(fromJSON.stderr)")
            #expect(fromProtobuf.stdout == fromJSON.stdout, "\(describe.arguments.joined(separator: " "))")
        }
        // What the protobuf answers carried, as describe shows it.
        try await Self.answer(protobuf: true, kube)
        let ingress = try await kube.succeed(["describe", "ingress", "shop", "-n", ns])
        #expect(ingress.contains("Labels:           app=shop\n                  tier=edge\n"), "\(ingress)")
        #expect(ingress.contains("Address:          192.0.2.10,lb.example.test\n"), "\(ingress)")
        #expect(ingress.contains("Ingress Class:    nginx\n"), "\(ingress)")
        #expect(ingress.contains("APIGroup: storage.example.test, Kind: Bucket, Name: static-pages"), "\(ingress)")
        #expect(ingress.contains("shop-tls terminates shop.example.test,www.shop.example.test"), "\(ingress)")
        #expect(ingress.contains(#/\n +/api +api:8443 /#), "\(ingress)")
        #expect(ingress.contains(#/\n +/ +web:http /#), "\(ingress)")
        #expect(ingress.contains(#/\n +\* +\n +/health +health:8080 /#), "\(ingress)")
        #expect(ingress.contains("example.test/owner: team-b"), "\(ingress)")
        #expect(ingress.contains("Normal  Renewed"), "\(ingress)")
        let robot = try await kube.succeed(["describe", "serviceaccount", "shop-robot", "-n", ns])
        #expect(robot.contains("Image pull secrets:  registry-login (not found)\n"), "\(robot)")
        #expect(robot.contains("Mountable secrets:   shop-login\n"), "\(robot)")
        #expect(robot.contains("Warning  Rotated"), "\(robot)")
    }

    @Test func getAsksForJSONAndIsAnsweredInJSON_AgainstKubeTestServer() async throws {
        // kubectl get reads through its unstructured client, which asks for JSON (or a JSON Table)
        // only, against any server: a server that answers protobuf must not answer it in protobuf.
        let kube = try await KubeTestCluster.own()
        let ns = try await Self.shop(kube)
        for get in [["get", "secret", "shop-login", "-n", ns, "-o", "json"], ["get", "secrets", "-n", ns, "-o", "yaml"],
                    ["get", "ingress", "shop", "-n", ns, "-o", "json"], ["get", "configmaps", "-n", ns, "-o", "name"],
                    ["get", "secret", "does-not-exist", "-n", ns]] {
            try await Self.answer(protobuf: true, kube)
            let withProtobufOn = try await kube.kubectl(get + ["-v=8"])
            let types = Self.answers(withProtobufOn.stderr).filter { $0.request.contains("/namespaces/\(ns)/") }.map(\.contentType)
            #expect(!types.isEmpty && !types.contains(Self.protobuf), "\(get.joined(separator: " ")): \(types)")
            try await Self.answer(protobuf: false, kube)
            let withProtobufOff = try await kube.kubectl(get + ["-v=8"])
            #expect(withProtobufOn.stdout == withProtobufOff.stdout, "\(get.joined(separator: " "))")
            #expect(Self.messages(withProtobufOn.stderr) == Self.messages(withProtobufOff.stderr), "\(get.joined(separator: " "))")
        }
    }

    @Test func errorsFromProtobufStatusesReadAsFromJSON_AgainstKubeTestServer() async throws {
        let kube = try await KubeTestCluster.own()
        let ns = try await kube.makeNamespace("pb-errors")
        try await kube.succeed(["create", "secret", "generic", "pb-taken", "--from-literal=a=b", "-n", ns])
        let missing = uniqueLabel("kf-pb-missing")
        let failures: [(arguments: [String], message: String)] = [
            (["create", "secret", "generic", "pb-taken", "--from-literal=a=c", "-n", ns],
             #"error: failed to create secret secrets "pb-taken" already exists"#),
            (["create", "secret", "generic", "pb-nowhere", "--from-literal=a=b", "-n", missing],
             #"error: failed to create secret namespaces "\#(missing)" not found"#),
            (["create", "secret", "generic", "pb-tls", "--type=kubernetes.io/tls", "--from-literal=a=b", "-n", ns],
             #"error: failed to create secret Secret "pb-tls" is invalid: [data[tls.crt]: Required value, data[tls.key]: Required value]"#),
            (["create", "token", "nobody", "-n", ns], #"error: failed to create token: serviceaccounts "nobody" not found"#),
            (["create", "namespace", ns], #"Error from server (AlreadyExists): namespaces "\#(ns)" already exists"#),
        ]
        for failure in failures {
            try await Self.answer(protobuf: true, kube)
            let fromProtobuf = try await kube.kubectl(failure.arguments + ["-v=8"])
            #expect(fromProtobuf.status == 1)
            #expect(Self.answerType("POST", in: fromProtobuf.stderr) == Self.protobuf, "\(failure.arguments.joined(separator: " "))")
            try await Self.answer(protobuf: false, kube)
            let fromJSON = try await kube.kubectl(failure.arguments + ["-v=8"])
            #expect(Self.answerType("POST", in: fromJSON.stderr) == "application/json")
            #expect(Self.messages(fromProtobuf.stderr) == [failure.message], "\(fromProtobuf.stderr)")
            #expect(Self.messages(fromJSON.stderr) == [failure.message], "\(fromJSON.stderr)")
        }
    }

    // MARK: direct requests

    @Test func aSecretListInPagesDecodesToTheSameSecretsAsTheJSONList_AgainstKubeTestServer() async throws {
        let kube = try await KubeTestCluster.own()
        let ns = try await kube.makeNamespace("pb-pages")
        let secrets = (1...7).map { i in
            """
            apiVersion: v1
            kind: Secret
            metadata: {name: pb-page-\(i), namespace: \(ns), labels: {page: "n\(i)"}}
            type: example.test/page
            data: {index: \(Data("secret number \(i)".utf8).base64EncodedString()), raw: \(Data([0, 0xFF, UInt8(i)]).base64EncodedString())}
            """
        }.joined(separator: "\n---\n")
        let created = try await kube.kubectl(["create", "-f", "-"], input: Data(secrets.utf8))
        try #require(created.status == 0, "\(created.stderr)")

        let json = try await Self.request(kube, "/api/v1/namespaces/\(ns)/secrets", accept: "application/json")
        #expect(json.contentType == "application/json")
        let list = try #require(try JSONSerialization.jsonObject(with: json.body) as? [String: Any])
        var expected: [String: [String: Data]] = [:]
        for item in list["items"] as? [[String: Any]] ?? [] {
            let name = try #require(dig(item, "metadata", "name") as? String)
            expected[name] = (item["data"] as? [String: String] ?? [:]).compactMapValues { Data(base64Encoded: $0) }
        }
        #expect(expected.count == 7)

        var decoded: [String: [String: Data]] = [:]
        var order: [String] = []
        var pages: [(items: Int, remaining: UInt64?, continues: Bool)] = []
        var token = ""
        repeat {
            let query = "?limit=3" + (token.isEmpty ? "" : "&continue=\(token)")
            let page = try await Self.request(kube, "/api/v1/namespaces/\(ns)/secrets\(query)", accept: "\(Self.protobuf), application/json")
            try #require(page.status == 200 && page.contentType == Self.protobuf, "\(page.status) \(page.contentType)")
            let answer = try KubernetesProtobufAnswer(page.body)
            #expect(answer.apiVersion == "v1" && answer.kind == "SecretList")
            #expect(answer.contentEncoding == "" && answer.contentType == "", "runtime.Unknown writes both, empty")
            let listMeta = try #require(try answer.object.message(1))
            #expect(listMeta.string(2)?.isEmpty == false, "a resourceVersion")
            token = listMeta.string(3) ?? ""
            let items = try answer.object.messages(2)
            pages.append((items.count, listMeta.varint(4), !token.isEmpty))
            for item in items {
                let meta = try #require(try item.message(1))
                let name = meta.string(1) ?? ""
                #expect(meta.string(3) == ns)
                #expect(item.string(3) == "example.test/page")
                #expect(try meta.map(11) == ["page": Data("n\(name.split(separator: "-").last ?? "")".utf8)])
                decoded[name] = try item.map(2)
                order.append(name)
            }
        } while !token.isEmpty && pages.count < 10
        #expect(pages.map(\.items) == [3, 3, 1])
        #expect(pages.map(\.remaining) == [4, 1, nil])
        #expect(pages.map(\.continues) == [true, true, false])
        #expect(order == (1...7).map { "pb-page-\($0)" })
        #expect(decoded == expected)
    }

    @Test func answersFollowTheAcceptHeaderAsKubeAPIServerNegotiates_AgainstKubeTestServer() async throws {
        let kube = try await KubeTestCluster.own()
        let ns = try await kube.makeNamespace("pb-accept")
        try await kube.succeed(["create", "secret", "generic", "pb-one", "--from-literal=a=b", "-n", ns])
        let certificate = """
            apiVersion: cert-manager.io/v1
            kind: Certificate
            metadata: {name: pb-web, namespace: \(ns)}
            spec: {secretName: pb-web-tls, dnsNames: [pb.example.test], issuerRef: {name: lab, kind: ClusterIssuer}}
            """
        let created = try await kube.kubectl(["create", "-f", "-"], input: Data(certificate.utf8))
        try #require(created.status == 0, "\(created.stderr)")
        let secrets = "/api/v1/namespaces/\(ns)/secrets", certificates = "/apis/cert-manager.io/v1/namespaces/\(ns)/certificates"
        let table = "application/json;as=Table;v=v1;g=meta.k8s.io"
        let cases: [(path: String, accept: String, status: Int, contentType: String)] = [
            (secrets, "\(Self.protobuf), application/json", 200, Self.protobuf),
            (secrets, Self.protobuf, 200, Self.protobuf),
            (secrets, "application/json, \(Self.protobuf)", 200, "application/json"),
            (secrets, "application/json;q=0.5, \(Self.protobuf)", 200, Self.protobuf),
            (secrets, "*/*", 200, "application/json"),
            (secrets, "\(table), \(Self.protobuf)", 200, table),
            // kube-apiserver has no protobuf Tables: the clause is passed over.
            (secrets, "\(Self.protobuf);as=Table;v=v1;g=meta.k8s.io, application/json", 200, "application/json"),
            (secrets + "/pb-one", "\(Self.protobuf), application/json", 200, Self.protobuf),
            (secrets + "/pb-none", "\(Self.protobuf), application/json", 404, Self.protobuf),
            // Custom resources have no protobuf.
            (certificates, "\(Self.protobuf), application/json", 200, "application/json"),
            (certificates + "/pb-web", "\(Self.protobuf), application/json", 200, "application/json"),
            (certificates, Self.protobuf, 406, Self.protobuf),
        ]
        for item in cases {
            let answer = try await Self.request(kube, item.path, accept: item.accept)
            #expect(answer.status == item.status && answer.contentType == item.contentType,
                    "GET \(item.path) Accept: \(item.accept) → \(answer.status) \(answer.contentType)")
        }

        let secret = try KubernetesProtobufAnswer(try await Self.request(kube, secrets + "/pb-one", accept: Self.protobuf).body)
        #expect(secret.apiVersion == "v1" && secret.kind == "Secret")
        let meta = try #require(try secret.object.message(1))
        #expect(meta.string(1) == "pb-one" && meta.string(3) == ns)
        #expect(try meta.messages(17).first?.string(1) == "kubectl-create", "managedFields[0].manager")
        #expect(try secret.object.map(2) == ["a": Data("b".utf8)])
        #expect(secret.object.string(3) == "Opaque")

        let notFound = try Self.status(try await Self.request(kube, secrets + "/pb-none", accept: Self.protobuf).body)
        #expect(notFound.status == "Failure" && notFound.reason == "NotFound" && notFound.code == 404)
        #expect(notFound.message == #"secrets "pb-none" not found"#)
        #expect(notFound.details == ["pb-none", "", "secrets"])

        let refused = try Self.status(try await Self.request(kube, certificates, accept: Self.protobuf).body)
        #expect(refused.reason == "NotAcceptable" && refused.code == 406)
        #expect(refused.message == "only the following media types are accepted: application/json, application/yaml, "
                + "application/vnd.kubernetes.protobuf")
    }

    @Test func everyKindAnsweredInProtobufComesAsItsList_AgainstKubeTestServer() async throws {
        let kube = try await KubeTestCluster.own()
        let ns = try await Self.shop(kube)
        let lists: [(path: String, apiVersion: String, kind: String, names: [String])] = [
            ("/api/v1/namespaces/\(ns)/secrets", "v1", "SecretList", ["shop-login"]),
            ("/api/v1/namespaces/\(ns)/configmaps", "v1", "ConfigMapList", ["shop-settings"]),
            ("/api/v1/namespaces/\(ns)/serviceaccounts", "v1", "ServiceAccountList", ["shop-robot"]),
            ("/api/v1/namespaces/\(ns)/events", "v1", "EventList", ["shop-robot.rotated", "shop.renewed"]),
            ("/apis/networking.k8s.io/v1/namespaces/\(ns)/ingresses", "networking.k8s.io/v1", "IngressList", ["shop"]),
            ("/api/v1/namespaces?fieldSelector=metadata.name%3D\(ns)", "v1", "NamespaceList", [ns]),
        ]
        for list in lists {
            let answer = try await Self.request(kube, list.path, accept: Self.protobuf)
            try #require(answer.status == 200 && answer.contentType == Self.protobuf, "\(list.path): \(answer.status) \(answer.contentType)")
            let decoded = try KubernetesProtobufAnswer(answer.body)
            #expect(decoded.apiVersion == list.apiVersion && decoded.kind == list.kind, "\(list.path)")
            #expect(try decoded.object.messages(2).map { try $0.message(1)?.string(1) } == list.names, "\(list.path)")
        }

        // A built-in kind this server has no protobuf encoding of: JSON when the request takes it, else a 406 that says so.
        let lease = "apiVersion: coordination.k8s.io/v1\nkind: Lease\nmetadata: {name: pb-lock, namespace: \(ns)}\nspec: {holderIdentity: pb-holder}\n"
        let created = try await kube.kubectl(["create", "-f", "-"], input: Data(lease.utf8))
        try #require(created.status == 0, "\(created.stderr)")
        let leases = "/apis/coordination.k8s.io/v1/namespaces/\(ns)/leases"
        #expect(try await Self.request(kube, leases, accept: "\(Self.protobuf), application/json").contentType == "application/json")
        let refused = try await Self.request(kube, leases, accept: Self.protobuf)
        #expect(refused.status == 406)
        #expect(try Self.status(refused.body).message == "kube-test-server has no protobuf encoding of Lease: accept application/json")
    }

    @Test func objectsAreWrittenFieldByFieldAsGoWritesThem_AgainstKubeTestServer() async throws {
        // gogo's generated marshallers: field-number order; every value field written even when empty
        // (strings, numbers, embedded structs, an unset Time as an empty message); pointers only when set.
        let kube = try await KubeTestCluster.own()
        let ns = try await Self.shop(kube)
        func object(_ path: String) async throws -> ProtobufMessage {
            try KubernetesProtobufAnswer(try await Self.request(kube, path, accept: Self.protobuf).body).object
        }
        let secret = try await object("/api/v1/namespaces/\(ns)/secrets/shop-login")
        #expect(secret.fields.map(\.number) == [1, 2, 3], "metadata, data, type; no stringData, no immutable")
        let meta = try #require(try secret.message(1))
        #expect(meta.fields.map(\.number) == [1, 2, 3, 4, 5, 6, 7, 8, 11, 12, 17])
        #expect(meta.string(2) == "" && meta.string(4) == "" && meta.varint(7) == 0, "generateName, selfLink, generation")
        let created = try #require(try meta.message(8))
        #expect(created.fields.map(\.number) == [1, 2] && created.varint(2) == 0, "metav1.Time: seconds, nanos 0")
        let managed = try #require(try meta.messages(17).first)
        #expect(managed.fields.map(\.number) == [1, 2, 3, 4, 6, 7, 8])
        let fieldsV1 = try #require(try managed.message(7)?.bytes(1))
        #expect((try JSONSerialization.jsonObject(with: fieldsV1) as? [String: Any])?["f:data"] != nil)

        let ingress = try await object("/apis/networking.k8s.io/v1/namespaces/\(ns)/ingresses/shop")
        let spec = try #require(try ingress.message(2))
        #expect(spec.fields.map(\.number) == [1, 2, 3, 3, 4], "defaultBackend, tls, rules, ingressClassName")
        let rules = try spec.messages(3)
        #expect(rules.last?.fields.map(\.number) == [1, 2] && rules.last?.string(1) == "", "a rule without host")
        let paths = try #require(try rules.first?.message(2)?.message(1)).messages(1)
        #expect(paths.map { $0.fields.map(\.number) } == [[1, 2, 3], [1, 2, 3]], "path, backend, pathType")
        let port = try #require(try paths.last?.message(2)?.message(4)?.message(2))
        #expect(port.string(1) == "http" && port.varint(2) == 0, "a port by name: number 0 still written")
        let balancers = try #require(try ingress.message(3)?.message(1)).messages(1)
        #expect(balancers.map { [$0.string(1) ?? "-", $0.string(2) ?? "-"] } == [["192.0.2.10", ""], ["", "lb.example.test"]])
        #expect(try balancers.last?.messages(4).map { [$0.varint(1).map(String.init) ?? "-", $0.string(2) ?? "-"] } == [["443", "TCP"]])

        let events = try await object("/api/v1/namespaces/\(ns)/events")
        let rotated = try #require(try events.messages(2).first)
        #expect(rotated.fields.map(\.number) == Array(1...15), "every Event field, related and series being set")
        #expect(try rotated.message(6)?.fields.isEmpty == true, "an unset firstTimestamp: an empty message")
        let eventTime = try #require(try rotated.message(10))
        #expect(eventTime.varint(1) == 1_767_780_000 && eventTime.varint(2) == 123_456_000, "MicroTime keeps microseconds")
        #expect(try rotated.message(11)?.varint(1) == 3)
    }

    @Test func anInvalidObjectIsRefusedWithAProtobufStatusAndItsCauses_AgainstKubeTestServer() async throws {
        let kube = try await KubeTestCluster.own()
        let ns = try await kube.makeNamespace("pb-invalid")
        let body = #"{"apiVersion":"v1","kind":"Secret","metadata":{"name":"pb-bad"},"type":"kubernetes.io/tls","data":{}}"#
        let answer = try await Self.request(kube, "/api/v1/namespaces/\(ns)/secrets", accept: "\(Self.protobuf), application/json",
                                            method: "POST", body: Data(body.utf8))
        #expect(answer.status == 422 && answer.contentType == Self.protobuf)
        let envelope = try KubernetesProtobufAnswer(answer.body)
        #expect(envelope.apiVersion == "v1" && envelope.kind == "Status")
        let status = try Self.status(answer.body)
        #expect(status.reason == "Invalid" && status.code == 422)
        #expect(status.message == #"Secret "pb-bad" is invalid: [data[tls.crt]: Required value, data[tls.key]: Required value]"#)
        #expect(status.details == ["pb-bad", "", "Secret"])
        let causes = try #require(try envelope.object.message(5)).messages(4)
        #expect(causes.map { [$0.string(1), $0.string(2), $0.string(3)] } == [
            ["FieldValueRequired", "Required value", "data[tls.crt]"],
            ["FieldValueRequired", "Required value", "data[tls.key]"],
        ])
    }

    @Test func aThrottledRequestAndAnExpiredPageGetProtobufStatuses_AgainstKubeTestServer() async throws {
        let kube = try await KubeTestCluster.own()
        let ns = try await kube.makeNamespace("pb-faults")
        for name in ["pb-a", "pb-b", "pb-c"] {
            try await kube.succeed(["create", "secret", "generic", name, "--from-literal=k=\(name)", "-n", ns])
        }
        let secrets = "/api/v1/namespaces/\(ns)/secrets"
        let first = try KubernetesProtobufAnswer(try await Self.request(kube, secrets + "?limit=2", accept: Self.protobuf).body)
        let token = try #require(try first.object.message(1)?.string(3))

        let fault = #"[{"status": 429, "retryAfter": 2, "path": "/namespaces/\#(ns)/secrets"}, {"expireContinue": true}]"#
        let added = try await kube.kubectl(["create", "--raw", "/_test/faults", "-f", "-"], input: Data(fault.utf8))
        try #require(added.status == 0, "\(added.stderr)")

        let throttled = try await Self.request(kube, secrets, accept: Self.protobuf)
        #expect(throttled.status == 429 && throttled.contentType == Self.protobuf)
        let tooMany = try KubernetesProtobufAnswer(throttled.body).object
        #expect(tooMany.string(4) == "TooManyRequests" && tooMany.varint(6) == 429)
        #expect(try tooMany.message(5)?.varint(5) == 2, "details.retryAfterSeconds")

        let expired = try await Self.request(kube, secrets + "?limit=2&continue=\(token)", accept: Self.protobuf)
        #expect(expired.status == 410 && expired.contentType == Self.protobuf)
        let gone = try KubernetesProtobufAnswer(expired.body).object
        #expect(gone.string(4) == "Expired" && gone.varint(6) == 410)
        #expect(try gone.message(1)?.string(3)?.isEmpty == false, "a fresh continue token in the Status's ListMeta")
        #expect(!gone.has(5), "no details: a nil pointer is not written")
    }

    @Test func theJSONOnlySwitchAnswersJSONUntilProtobufIsSwitchedOn_AgainstKubeTestServer() async throws {
        let kube = try await KubeTestCluster.own(options: ["--json-only"])
        let ns = try await kube.makeNamespace("pb-off")
        let off = try await kube.kubectl(["create", "configmap", "pb-first", "--from-literal=a=b", "-n", ns, "-v=8"])
        #expect(off.status == 0, "\(off.stderr)")
        #expect(Self.answerType("POST", in: off.stderr) == "application/json")
        #expect(try await Self.request(kube, "/api/v1/namespaces/\(ns)/configmaps", accept: Self.protobuf).contentType == "application/json",
                "a JSON-only server answers JSON even to a protobuf-only request, as before protobuf answers")

        try await Self.answer(protobuf: true, kube)
        let on = try await kube.kubectl(["create", "configmap", "pb-second", "--from-literal=a=b", "-n", ns, "-v=8"])
        #expect(Self.answerType("POST", in: on.stderr) == Self.protobuf)

        try await kube.succeed(["create", "--raw", "/_test/reset", "-f", "-"])
        #expect(try await kube.succeed(["get", "--raw", "/_test/encoding"]) == #"{"protobuf":false}"#,
                "a reset goes back to the switch the server started with")
    }

    // MARK: helpers

    /// Switches the server's protobuf answers on or off; the stored objects stay as they are.
    static func answer(protobuf: Bool, _ kube: KubeTestCluster) async throws {
        let result = try await kube.kubectl(["create", "--raw", "/_test/encoding", "-f", "-"], input: Data(#"{"protobuf": \#(protobuf)}"#.utf8))
        try #require(result.status == 0 && result.stdout == #"{"protobuf":\#(protobuf)}"#, "\(result.stdout)\(result.stderr)")
    }

    /// The requests in a kubectl `-v=8` log (`GET https://…`), each with the Content-Type of its answer.
    static func answers(_ log: String) -> [(request: String, contentType: String)] {
        var out: [(request: String, contentType: String)] = []
        var request = ""
        var inResponse = false
        for line in log.split(separator: "\n") {
            if let match = line.firstMatch(of: /\] ((?:GET|POST|PUT|PATCH|DELETE) https:\/\/\S+)/) {
                request = String(match.1)
                inResponse = false
            } else if line.contains("] Response Headers:") {
                inResponse = true
            } else if inResponse, let match = line.firstMatch(of: /\]\s+Content-Type: (\S+)/) {
                out.append((request, String(match.1)))
                inResponse = false
            }
        }
        return out
    }

    /// The Content-Type of the last answer to a `method` request whose URL contains `part`.
    static func answerType(_ method: String, _ part: String = "", in log: String) -> String? {
        answers(log).last { $0.request.hasPrefix(method + " ") && (part.isEmpty || $0.request.contains(part)) }?.contentType
    }

    /// kubectl's own error lines, without its `-v` log.
    static func messages(_ stderr: String) -> [String] {
        stderr.split(separator: "\n").map(String.init).filter { $0.hasPrefix("error: ") || $0.hasPrefix("Error from server") }
    }

    static func parsed(_ json: String) throws -> NSDictionary {
        try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? NSDictionary, "not a JSON object: \(json)")
    }

    /// kubectl's JSON with the values the server sets differently for each object (uid,
    /// resourceVersion, times) blanked.
    static func withoutServerValues(_ json: String) -> String {
        json.replacing(/"(uid|resourceVersion|creationTimestamp|time)": "[^"]*"/) { "\"\($0.1)\": \"…\"" }
    }

    struct RawAnswer {
        var status: Int
        var contentType: String
        var body: Data
    }

    /// One request as the lab's admin with curl, whose answer may be binary.
    static func request(_ kube: KubeTestCluster, _ path: String, accept: String, method: String = "GET",
                        body: Data? = nil) async throws -> RawAnswer {
        let credentials = URL(fileURLWithPath: try Lab.require("LAB_KUBECONFIG", component: "kube")).deletingLastPathComponent()
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        let out = scratch.url.appendingPathComponent("body")
        var arguments = ["-sS", "-X", method, "-o", out.path, "-w", "%{http_code} %{content_type}",
                         "--cacert", kube.caFile, "--cert", credentials.appendingPathComponent("admin.pem").path,
                         "--key", credentials.appendingPathComponent("admin-key.pem").path, "-H", "Accept: \(accept)"]
        if body != nil {
            arguments += ["-H", "Content-Type: application/json", "--data-binary", "@-"]
        }
        let result = try await Subprocess.run("curl", arguments + [kube.serverURL + path], input: body)
        try #require(result.status == 0, "curl \(path): \(result.stderr)")
        let parts = result.stdout.split(separator: " ", maxSplits: 1)
        return RawAnswer(status: Int(parts.first ?? "") ?? 0, contentType: parts.count > 1 ? String(parts[1]) : "",
                         body: (try? Data(contentsOf: out)) ?? Data())
    }

    struct Status {
        var status: String?
        var message: String?
        var reason: String?
        var code: UInt64?
        /// details.name, group, kind.
        var details: [String]?
    }

    /// A metav1.Status answer: metadata = 1, status = 2, message = 3, reason = 4, details = 5, code = 6.
    static func status(_ data: Data) throws -> Status {
        let answer = try KubernetesProtobufAnswer(data)
        try #require(answer.kind == "Status", "\(answer.kind)")
        let object = answer.object
        let details = try object.message(5)
        return Status(status: object.string(2), message: object.string(3), reason: object.string(4), code: object.varint(6),
                      details: details.map { [$0.string(1) ?? "", $0.string(2) ?? "", $0.string(3) ?? ""] })
    }

    /// A namespace with an Ingress (labels, annotations, class, resource backend, TLS, rules, a
    /// load balancer status), a Secret, a ServiceAccount, a ConfigMap and Events about two of them.
    /// One data key each: kubectl describes a Secret's and a ConfigMap's keys in Go's random map order.
    static func shop(_ kube: KubeTestCluster) async throws -> String {
        let ns = try await kube.makeNamespace("pb-shop")
        let objects = """
            apiVersion: networking.k8s.io/v1
            kind: Ingress
            metadata:
              name: shop
              namespace: \(ns)
              labels: {app: shop, tier: edge}
              annotations: {example.test/owner: team-b, example.test/renew-before: 720h}
            spec:
              ingressClassName: nginx
              defaultBackend:
                resource: {apiGroup: storage.example.test, kind: Bucket, name: static-pages}
              tls:
              - hosts: [shop.example.test, www.shop.example.test]
                secretName: shop-tls
              rules:
              - host: shop.example.test
                http:
                  paths:
                  - path: /api
                    pathType: Exact
                    backend: {service: {name: api, port: {number: 8443}}}
                  - path: /
                    pathType: ImplementationSpecific
                    backend: {service: {name: web, port: {name: http}}}
              - http:
                  paths:
                  - path: /health
                    pathType: Prefix
                    backend: {service: {name: health, port: {number: 8080}}}
            ---
            apiVersion: v1
            kind: Secret
            metadata:
              name: shop-login
              namespace: \(ns)
              labels: {app: shop}
              annotations: {example.test/source: vault}
            type: example.test/login
            data: {password: c2hvcC1wYXNzd29yZA==}
            ---
            apiVersion: v1
            kind: ServiceAccount
            metadata: {name: shop-robot, namespace: \(ns)}
            secrets:
            - name: shop-login
            imagePullSecrets:
            - name: registry-login
            automountServiceAccountToken: false
            ---
            apiVersion: v1
            kind: ConfigMap
            metadata: {name: shop-settings, namespace: \(ns), labels: {app: shop}}
            data: {mode: fast}
            binaryData: {logo: AAEC}

            """
        let created = try await kube.kubectl(["create", "-f", "-"], input: Data(objects.utf8))
        try #require(created.status == 0, "\(created.stderr)")
        let loadBalancer = #"{"status":{"loadBalancer":{"ingress":[{"ip":"192.0.2.10"},{"hostname":"lb.example.test","ports":[{"port":443,"protocol":"TCP"}]}]}}}"#
        try await kube.succeed(["patch", "ingress", "shop", "-n", ns, "--subresource=status", "--type=merge", "-p", loadBalancer])
        let ingressUID = try await kube.succeed(["get", "ingress", "shop", "-n", ns, "-o", "jsonpath={.metadata.uid}"])
        let robotUID = try await kube.succeed(["get", "serviceaccount", "shop-robot", "-n", ns, "-o", "jsonpath={.metadata.uid}"])
        // Old timestamps, so that the ages describe prints do not change between two runs.
        let events = """
            apiVersion: v1
            kind: Event
            metadata: {name: shop.renewed, namespace: \(ns)}
            involvedObject: {apiVersion: networking.k8s.io/v1, kind: Ingress, name: shop, namespace: \(ns), uid: \(ingressUID)}
            reason: Renewed
            message: renewed shop-tls for shop.example.test
            type: Normal
            source: {component: kubectl-certs}
            firstTimestamp: "2026-01-05T10:00:00Z"
            lastTimestamp: "2026-01-06T10:00:00Z"
            count: 2
            ---
            apiVersion: v1
            kind: Event
            metadata: {name: shop-robot.rotated, namespace: \(ns)}
            involvedObject: {apiVersion: v1, kind: ServiceAccount, name: shop-robot, namespace: \(ns), uid: \(robotUID)}
            related: {apiVersion: v1, kind: Secret, name: shop-login, namespace: \(ns)}
            reason: Rotated
            message: rotated the login of shop-robot
            type: Warning
            eventTime: "2026-01-07T10:00:00.123456Z"
            series: {count: 3, lastObservedTime: "2026-01-08T10:00:00.654321Z"}
            action: Rotate
            reportingComponent: example.test/rotator
            reportingInstance: rotator-1

            """
        let recorded = try await kube.kubectl(["create", "-f", "-"], input: Data(events.utf8))
        try #require(recorded.status == 0, "\(recorded.stderr)")
        return ns
    }
}
