@testable import kubectl_certs
import CertCore
import Foundation
import Testing

/// The objects of one HTTP-01 solver as they are sent to the API server.
@Suite struct SolverObjectsTests {
    static let challenge = HTTP01Challenge(domain: "shop.example.test", token: "tok-EN_123", keyAuthorization: "tok-EN_123.thumbprint")

    func objects(_ solver: HTTP01Solver = HTTP01Solver()) -> SolverObjects {
        SolverObjects(name: SolverObjects.name(run: "run1", token: Self.challenge.token), namespace: "shop", run: "run1", solver: solver, challenge: Self.challenge)
    }

    static let owner = SolverObjects.ownerReference(KubernetesObject(json: ["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": "parent", "uid": "uid-42"]]))

    @Test func theConfigMapHoldsTheKeyAuthorizationUnderTheToken() {
        let configMap = objects().configMap()
        #expect(configMap[["data", "tok-EN_123"]] == "tok-EN_123.thumbprint")
        #expect(configMap.labels["kubectl-certs.io/http01-solver"] == "true")
        #expect(configMap.labels["app.kubernetes.io/managed-by"] == "kubectl-certs")
        #expect(configMap.labels["kubectl-certs.io/http01-run"] == "run1")
        #expect(configMap[["metadata", "ownerReferences"]] == nil)
        #expect(configMap.labels["kubectl-certs.io/http01-probe"] == nil)
    }

    @Test func aProbesConfigMapNamesTheProcessThatMadeIt() throws {
        var probe = objects()
        probe.probeHolder = RunHolder(host: "laptop", pid: 42, started: "boot:7")
        let configMap = probe.configMap()
        #expect(configMap.labels["kubectl-certs.io/http01-probe"] == "true")
        let text = try #require(configMap.annotations["kubectl-certs.io/http01-holder"])
        #expect(try JSONDecoder().decode(RunHolder.self, from: Data(text.utf8)) == probe.probeHolder)
    }

    @Test func namesAreServiceNamesAndDifferPerTokenAndRun() {
        let name = SolverObjects.name(run: "run1", token: "a")
        #expect(name.count <= 63 && name.first!.isLetter && name.allSatisfy { $0.isLowercase || $0.isNumber || $0 == "-" })
        #expect(name != SolverObjects.name(run: "run1", token: "b"))
        #expect(name != SolverObjects.name(run: "run2", token: "a"))
    }

    @Test func everyChildIsOwnedByTheConfigMapWithItsUID() {
        let objects = objects()
        for child in [objects.pod(owner: Self.owner), objects.service(owner: Self.owner), objects.ingress(owner: Self.owner)] {
            let references = child[["metadata", "ownerReferences"]]?.arrayValue ?? []
            #expect(references.count == 1)
            #expect(references.first?["uid"] == "uid-42")
            #expect(references.first?["kind"] == "ConfigMap")
            #expect(child.labels["kubectl-certs.io/http01-solver"] == "true")
        }
    }

    @Test func thePodRunsUnprivilegedWithoutAServiceAccountToken() throws {
        let pod = objects().pod(owner: Self.owner)
        #expect(pod[["spec", "automountServiceAccountToken"]] == false)
        #expect(pod[["spec", "securityContext", "runAsNonRoot"]] == true)
        let uid = try #require(pod[["spec", "securityContext", "runAsUser"]]?.intValue)
        #expect(uid > 0)
        let container = try #require(pod[["spec", "containers"]]?.arrayValue?.first)
        #expect(container["image"] == "docker.io/library/busybox:1.36")
        #expect(container["command"] == ["httpd"])
        #expect(container["args"] == ["-f", "-p", "8089", "-h", "/srv"])
        #expect(container["securityContext"]?["readOnlyRootFilesystem"] == true)
        #expect(container["securityContext"]?["allowPrivilegeEscalation"] == false)
        #expect(container["securityContext"]?["capabilities"]?["drop"] == ["ALL"])
        #expect(container["resources"]?["requests"]?["cpu"] == "10m")
        #expect(container["resources"]?["requests"]?["memory"] == "16Mi")
        #expect(container["resources"]?["limits"] != nil)
        #expect(container["volumeMounts"]?.arrayValue?.first?["mountPath"] == "/srv/.well-known/acme-challenge")
        #expect(pod[["spec", "volumes"]]?.arrayValue?.first?["configMap"]?["name"] == .string(objects().name))
        // The token reaches the Pod only as a file of the ConfigMap, never in its command line.
        #expect(!String(decoding: pod.json.encoded(), as: UTF8.self).contains(Self.challenge.token))
    }

    @Test func thePodTakesTheTemplatesMetadataAndPlacementButKeepsItsOwnLabels() throws {
        let solver = try HTTP01Solver(certManager: ["ingress": [
            "podTemplate": [
                "metadata": ["labels": ["team": "web", "kubectl-certs.io/http01-solver": "no"], "annotations": ["note": "x"]],
                "spec": ["nodeSelector": ["kubernetes.io/os": "linux"], "tolerations": [["key": "edge", "operator": "Exists"]]],
            ],
        ]], describing: "solver 1")
        let pod = objects(solver).pod(owner: Self.owner)
        #expect(pod.labels["team"] == "web")
        #expect(pod.labels["kubectl-certs.io/http01-solver"] == "true")
        #expect(pod.annotations["note"] == "x")
        #expect(pod[["spec", "nodeSelector", "kubernetes.io/os"]] == "linux")
        #expect(pod[["spec", "tolerations"]]?.arrayValue?.first?["key"] == "edge")
    }

    @Test func theServiceSelectsOnlyThisSolversPod() {
        let objects = objects()
        let service = objects.service(owner: Self.owner)
        let pod = objects.pod(owner: Self.owner)
        let selector = (service[["spec", "selector"]]?.objectValue ?? [:]).compactMapValues(\.stringValue)
        #expect(!selector.isEmpty)
        #expect(selector.allSatisfy { pod.labels[$0.key] == $0.value })
        #expect(selector["kubectl-certs.io/http01-name"] == objects.name)
        #expect(service[["spec", "type"]] == "ClusterIP")
        #expect(service[["spec", "ports"]]?.arrayValue?.first?["targetPort"] == 8089)
    }

    @Test func aNodePortSolverGetsANodePortService() throws {
        let solver = try HTTP01Solver(certManager: ["ingress": ["serviceType": "NodePort"]], describing: "solver 1")
        #expect(objects(solver).service(owner: Self.owner)[["spec", "type"]] == "NodePort")
    }

    @Test func theIngressRoutesExactlyTheChallengePathOfTheHost() throws {
        let ingress = objects(HTTP01Solver(ingressClassName: "nginx")).ingress(owner: Self.owner)
        #expect(ingress[["spec", "ingressClassName"]] == "nginx")
        let rule = try #require(ingress[["spec", "rules"]]?.arrayValue?.first)
        #expect(rule["host"] == "shop.example.test")
        let path = try #require(rule["http"]?["paths"]?.arrayValue?.first)
        #expect(path["path"] == "/.well-known/acme-challenge/tok-EN_123")
        #expect(path["pathType"] == "ImplementationSpecific")
        #expect(path["backend"]?["service"]?["name"] == .string(objects().name))
        #expect(path["backend"]?["service"]?["port"]?["number"] == 8089)
        #expect(ingress[["spec", "tls"]] == nil)
    }

    @Test func aLegacyClassIsTheAnnotationAndNoClassNamesNone() throws {
        let legacy = try HTTP01Solver(certManager: ["ingress": ["class": "traefik", "ingressTemplate": ["metadata": ["annotations": ["a": "b"]]]]], describing: "solver 1")
        let ingress = objects(legacy).ingress(owner: Self.owner)
        #expect(ingress.annotations["kubernetes.io/ingress.class"] == "traefik")
        #expect(ingress.annotations["a"] == "b")
        #expect(ingress[["spec", "ingressClassName"]] == nil)
        #expect(objects().ingress(owner: Self.owner)[["spec", "ingressClassName"]] == nil)
    }

    @Test(arguments: [
        (["ingress": ["serviceType": "LoadBalancer"]] as JSONValue, "serviceType LoadBalancer"),
        (["ingress": ["class": "a", "name": "web"]] as JSONValue, "more than one"),
        (["gatewayHTTPRoute": ["parentRefs": []]] as JSONValue, "without `ingress`"),
    ])
    func solversKubectlCertsCannotServeAreRefusedWithTheReason(_ block: JSONValue, _ reason: String) {
        #expect {
            _ = try HTTP01Solver(certManager: block, describing: "solver 2 of Issuer web")
        } throws: { error in
            let failure = error as? CommandFailure
            return failure?.exitStatus == .usage && failure?.message.contains(reason) == true && failure?.message.contains("solver 2 of Issuer web") == true
        }
    }
}
