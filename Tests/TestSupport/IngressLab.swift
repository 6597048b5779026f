public import CertCore
import Foundation

/// The lab's data plane (`scripts/lab up ingress`, lab/ingress): a Pod whose image it knows runs,
/// and its ingress controller routes `http://HOST/PATH` by the Ingresses of its class. Helpers to
/// deploy an HTTP-01 solver (ConfigMap, busybox httpd Pod, Service, Ingress) through the API test
/// server and to ask the controller what it answers for a host, as the CA will.
public struct IngressLab: Sendable {
    public let settings: Lab.IngressSettings
    public let kube: KubeTestCluster
    private let http: HTTPClient

    public init(kube: KubeTestCluster? = nil) throws {
        settings = try Lab.IngressSettings()
        self.kube = try kube ?? KubeTestCluster()
        http = try HTTPClient()
    }

    /// A fresh host under `LAB_INGRESS_DOMAIN`, which the lab's DNS points at the controller.
    public func uniqueHost(_ prefix: String = "h") -> String {
        uniqueLabel(prefix) + "." + settings.domain
    }

    /// One request to the controller for `host`, as the CA sends it (no redirect followed).
    public func request(_ method: String = "GET", host: String, path: String) async throws -> HTTPResponse {
        try await http.send(HTTPRequest(method: method, url: "http://\(settings.address):\(settings.port)\(path)",
                                        headers: ["Host": host], timeout: .seconds(5)))
    }

    /// Asks until `accept` holds for the answer and returns it; after `timeout`, fails with the
    /// last answer seen (the data plane acts within a fraction of a second).
    @discardableResult
    public func waitForAnswer(host: String, path: String, timeout: Duration = .seconds(10),
                              until accept: (HTTPResponse) -> Bool) async throws -> HTTPResponse {
        let deadline = ContinuousClock.now + timeout
        while true {
            let answer = try await request(host: host, path: path)
            if accept(answer) { return answer }
            if ContinuousClock.now >= deadline {
                throw KubeTestCluster.Failure("http://\(host)\(path) still answers \(answer.status) \(answer.text.prefix(200)) after \(timeout)")
            }
            try await Task.sleep(for: .milliseconds(50))
        }
    }

    /// `kubectl get pod NAME -o json` until `accept` holds for it; after `timeout`, fails with the
    /// Pod's last status.
    @discardableResult
    public func waitForPod(_ name: String, namespace: String, timeout: Duration = .seconds(10),
                           until accept: ([String: Any]) -> Bool) async throws -> [String: Any] {
        let deadline = ContinuousClock.now + timeout
        while true {
            let result = try await kube.kubectl(["get", "pod", name, "-n", namespace, "-o", "json"])
            let pod = (try? JSONSerialization.jsonObject(with: Data(result.stdout.utf8))) as? [String: Any] ?? [:]
            if result.status == 0, accept(pod) { return pod }
            if ContinuousClock.now >= deadline {
                let status = (pod["status"]).flatMap { try? JSONSerialization.data(withJSONObject: $0) }
                    .map { String(decoding: $0, as: UTF8.self) } ?? result.stderr
                throw KubeTestCluster.Failure("pod \(namespace)/\(name) did not get there within \(timeout): \(status)")
            }
            try await Task.sleep(for: .milliseconds(50))
        }
    }

    /// Applies Kubernetes objects (as JSON dictionaries) with `kubectl apply`.
    public func apply(_ objects: [[String: Any]]) async throws {
        let list: [String: Any] = ["apiVersion": "v1", "kind": "List", "items": objects]
        let data = try JSONSerialization.data(withJSONObject: list, options: [.sortedKeys])
        let result = try await kube.kubectl(["apply", "-f", "-"], input: data)
        guard result.status == 0 else {
            throw KubeTestCluster.Failure("kubectl apply failed: \(result.stderr)")
        }
    }

    /// Deploys `solver` and waits until its Pod is Running. (The controller, like a real one, may
    /// still answer 503 for a moment: ask with `waitForAnswer`.)
    public func deploy(_ solver: Solver) async throws {
        try await apply(solver.objects(ingressClass: settings.ingressClass))
        try await waitForPod(solver.name, namespace: solver.namespace) { pod in
            (pod["status"] as? [String: Any])?["phase"] as? String == "Running"
        }
    }

    /// An HTTP-01 solver as the plugin deploys one: a ConfigMap with the files, a busybox httpd Pod
    /// serving them from `/www` on `port`, a Service selecting it, and an Ingress routing `paths`
    /// of `host` to it. Every object is named `name`.
    public struct Solver: Sendable {
        public var name: String
        public var namespace: String
        public var host: String
        /// File name → content, served at `/.well-known/acme-challenge/<name>`.
        public var files: [String: String]
        /// (path, pathType) routed to the solver.
        public var paths: [(String, String)]
        /// nil: the lab's class (`LAB_INGRESS_CLASS`); "": no class at all.
        public var ingressClass: String?
        public var image: String = "busybox:1.36"
        public var port: Int = 8089
        public var ingressAnnotations: [String: String] = [:]
        /// A Secret name for a `spec.tls` section covering the host.
        public var tlsSecret: String?
        /// The object every one of the solver's objects names in `metadata.ownerReferences`.
        public var owner: Owner?

        public init(name: String, namespace: String, host: String, files: [String: String],
                    paths: [(String, String)] = [("/.well-known/acme-challenge/", "Prefix")], ingressClass: String? = nil) {
            self.name = name
            self.namespace = namespace
            self.host = host
            self.files = files
            self.paths = paths
            self.ingressClass = ingressClass
        }

        public struct Owner: Sendable {
            public var apiVersion: String
            public var kind: String
            public var name: String
            public var uid: String
            public init(apiVersion: String, kind: String, name: String, uid: String) {
                self.apiVersion = apiVersion
                self.kind = kind
                self.name = name
                self.uid = uid
            }
        }

        public func objects(ingressClass labClass: String) -> [[String: Any]] {
            var metadata: [String: Any] = ["name": name, "namespace": namespace, "labels": ["lab-solver": name]]
            if let owner {
                metadata["ownerReferences"] = [["apiVersion": owner.apiVersion, "kind": owner.kind, "name": owner.name, "uid": owner.uid]]
            }
            var ingressMetadata = metadata
            ingressMetadata["annotations"] = ingressAnnotations
            var ingressSpec: [String: Any] = ["rules": [[
                "host": host,
                "http": ["paths": paths.map { path, type in
                    ["path": path, "pathType": type,
                     "backend": ["service": ["name": name, "port": ["number": port]]]] as [String: Any]
                }],
            ] as [String: Any]]]
            let className = ingressClass ?? labClass
            if !className.isEmpty { ingressSpec["ingressClassName"] = className }
            if let tlsSecret { ingressSpec["tls"] = [["hosts": [host], "secretName": tlsSecret]] }
            return [
                ["apiVersion": "v1", "kind": "ConfigMap", "metadata": metadata, "data": files],
                ["apiVersion": "v1", "kind": "Pod", "metadata": metadata, "spec": [
                    "containers": [[
                        "name": "httpd", "image": image,
                        "command": ["httpd", "-f", "-v", "-p", String(port), "-h", "/www"],
                        "ports": [["name": "http", "containerPort": port]],
                        "volumeMounts": [["name": "files", "mountPath": "/www/.well-known/acme-challenge"]],
                    ] as [String: Any]],
                    "volumes": [["name": "files", "configMap": ["name": name]]],
                ] as [String: Any]],
                ["apiVersion": "v1", "kind": "Service", "metadata": metadata, "spec": [
                    "selector": ["lab-solver": name],
                    "ports": [["port": port, "targetPort": "http"]],
                ] as [String: Any]],
                ["apiVersion": "networking.k8s.io/v1", "kind": "Ingress", "metadata": ingressMetadata, "spec": ingressSpec],
            ]
        }
    }
}
