@testable import kubectl_certs
import CertCore
import Testing

/// What a timed-out self-check says, from what the last look found.
@Suite struct ProbeExplanationTests {
    static let challenge = HTTP01Challenge(domain: "shop.example.test", token: "tok1", keyAuthorization: "tok1.print")

    static func ingressClass(_ name: String, isDefault: Bool = false) -> IngressClass {
        var ingressClass = IngressClass(name: name)
        if isDefault { ingressClass.annotations = ["ingressclass.kubernetes.io/is-default-class": "true"] }
        return ingressClass
    }

    static func pod(phase: String, waiting: String?, message: String? = nil) -> Pod {
        var pod = Pod(name: "solver", namespace: "shop")
        pod.object[["status", "phase"]] = .string(phase)
        if let waiting {
            var state: JSONValue = ["reason": .string(waiting)]
            if let message { state["message"] = .string(message) }
            pod.object[["status", "containerStatuses"]] = [["name": "http01-solver", "state": ["waiting": state]]]
        }
        return pod
    }

    @Test func a404WithAClassThatDoesNotExistNamesTheClassesThatDo() {
        let text = ProbeExplanation.explain(.status(address: "192.0.2.1", code: 404, location: nil), challenge: Self.challenge,
                                            solver: HTTP01Solver(ingressClassName: "wrong"), pod: Self.pod(phase: "Running", waiting: nil),
                                            classes: [Self.ingressClass("nginx", isDefault: true), Self.ingressClass("traefik")])
        #expect(text.contains("404"))
        #expect(text.contains("no IngressClass named wrong exists"))
        #expect(text.contains("nginx (default), traefik"))
        #expect(!text.contains("solver pod"))
    }

    @Test func a404WithNoClassAndNoDefaultSaysSo() {
        let text = ProbeExplanation.explain(.status(address: "192.0.2.1", code: 404, location: nil), challenge: Self.challenge,
                                            solver: HTTP01Solver(), pod: nil, classes: [Self.ingressClass("nginx")])
        #expect(text.contains("no IngressClass is marked default"))
        #expect(text.contains("the default ingress class"))
    }

    @Test func a404WithAClassThatExistsAsksWhetherAControllerServesIt() {
        let text = ProbeExplanation.explain(.status(address: "192.0.2.1", code: 404, location: nil), challenge: Self.challenge,
                                            solver: HTTP01Solver(ingressClassName: "nginx"), pod: nil, classes: [Self.ingressClass("nginx")])
        #expect(text.contains("does a controller serve ingress class nginx?"))
        #expect(!text.contains("no IngressClass"))
    }

    @Test func a503WithAPodThatCannotPullItsImageSaysWhyAndWhatToDo() {
        let text = ProbeExplanation.explain(.status(address: "192.0.2.1", code: 503, location: nil), challenge: Self.challenge, solver: HTTP01Solver(),
                                            pod: Self.pod(phase: "Pending", waiting: "ImagePullBackOff", message: "Back-off pulling image \"private/solver:1\""), classes: [])
        #expect(text.contains("503"))
        #expect(text.contains("solver pod shop/solver is Pending (ImagePullBackOff: Back-off pulling image \"private/solver:1\")"))
        #expect(text.contains("--http01-solver-image"))
    }

    @Test func a503WhileTheSolverRunsIsNotBlamedOnThePod() {
        let text = ProbeExplanation.explain(.status(address: "192.0.2.1", code: 503, location: nil), challenge: Self.challenge,
                                            solver: HTTP01Solver(ingressClassName: "unserved"), pod: Self.pod(phase: "Running", waiting: nil),
                                            classes: [Self.ingressClass("nginx", isDefault: true), Self.ingressClass("unserved")])
        #expect(text.contains("although the solver pod runs"))
        #expect(text.contains("does a controller serve ingress class unserved?"))
        #expect(!text.contains("no solver Pod ready"))
    }

    @Test func aRedirectToHTTPSSaysTheControllerForcesIt() {
        let text = ProbeExplanation.explain(.status(address: "192.0.2.1", code: 308, location: "https://shop.example.test/.well-known/acme-challenge/tok1"),
                                            challenge: Self.challenge, solver: HTTP01Solver(), pod: nil, classes: nil)
        #expect(text.contains("308"))
        #expect(text.contains("forces HTTPS"))
        #expect(text.contains("https://shop.example.test/"))
    }

    @Test func otherContentMeansAnotherRouteServesThePath() {
        let text = ProbeExplanation.explain(.wrongBody(address: "192.0.2.1", start: "<html>welcome"), challenge: Self.challenge, solver: HTTP01Solver(), pod: nil, classes: nil)
        #expect(text.contains("<html>welcome"))
        #expect(text.contains("another route"))
    }

    @Test func noConnectionAndNoAddressAreToldApart() {
        let refused = ProbeExplanation.explain(.unreachable(address: "192.0.2.1", reason: "Connection refused"), challenge: Self.challenge, solver: HTTP01Solver(), pod: nil, classes: nil)
        #expect(refused.contains("nothing answered HTTP at 192.0.2.1:80 (Connection refused)"))
        let unknown = ProbeExplanation.explain(.noAddress("shop.example.test has no address (NXDOMAIN)"), challenge: Self.challenge, solver: HTTP01Solver(), pod: nil, classes: nil)
        #expect(unknown.contains("NXDOMAIN"))
        #expect(unknown.contains("point it"))
    }

    @Test func anUnschedulablePodGivesTheSchedulersReason() throws {
        var pod = Self.pod(phase: "Pending", waiting: nil)
        pod.object[["status", "conditions"]] = [["type": "PodScheduled", "status": "False", "reason": "Unschedulable", "message": "0/1 nodes match the node selector"]]
        let state = try #require(ProbeExplanation.podState(pod))
        #expect(state.contains("Unschedulable: 0/1 nodes match the node selector"))
        #expect(ProbeExplanation.podState(Self.pod(phase: "Running", waiting: nil)) == nil)
    }
}
