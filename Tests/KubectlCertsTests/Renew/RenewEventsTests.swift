import CertCore
import Foundation
import TestSupport
import Testing

/// Events (events.k8s.io/v1) on the Secret and on the Ingress it serves: Issued by `issue`,
/// Renewed and RenewalFailed by `renew`, shown by the real kubectl's `describe` and `events`.
@Suite(.lab) struct RenewEventsTests {
    func events(_ lab: IssueLab, _ namespace: String) async throws -> [Event] {
        try await lab.client.list(.events, namespace: namespace).map(Event.init(object:))
    }

    @Test func issueAndRenewTellTheSecretAndTheIngressWhatHappened_AgainstLab() async throws {
        let lab = try IssueLab()
        let namespace = try await lab.namespace()
        let host = "\(IssueLab.label()).\(lab.zone)"
        var ingress = Ingress(name: "shop", namespace: namespace)
        ingress.object[["spec"]] = ["defaultBackend": ["service": ["name": "shop", "port": ["number": 80]]],
                                    "tls": [["hosts": .array([.string(host)]), "secretName": "shop-tls"]]]
        _ = try await lab.client.create(ingress.object)
        var credentials = Secret(name: "dns", namespace: namespace)
        credentials.data = ["RFC2136_NAMESERVER": Data(lab.primary.utf8), "RFC2136_TSIG_KEY": Data(lab.tsigKey.utf8), "RFC2136_TSIG_SECRET": Data(lab.tsigSecret.utf8)]
        _ = try await lab.client.create(credentials.object)
        let issued = try await lab.issue(["ingress/shop", "-n", namespace, "--dns", "rfc2136", "--dns-credentials", "secret/dns"])
        #expect(issued.status == 0, "\(issued.stderr)")
        #expect(try await lab.secret("shop-tls", namespace).annotations["kubectl-certs.io/target"] == "ingress/shop")

        let renewed = try await lab.renew(["-n", namespace, "--within", "50000h"])
        #expect(renewed.status == 0, "\(renewed.stderr)")
        // The credentials go: the next renewal fails, and says so where people look.
        try await lab.client.delete(.secrets, name: "dns", namespace: namespace)
        let failed = try await lab.renew(["-n", namespace, "--within", "50000h"])
        #expect(failed.status == 1)

        let secretUID = try #require(try await lab.secret("shop-tls", namespace).object.uid)
        let ingressUID = try #require(try await lab.client.get(.ingresses, name: "shop", namespace: namespace).uid)
        let all = try await events(lab, namespace)
        for (kind, uid) in [("Secret", secretUID), ("Ingress", ingressUID)] {
            let about = all.filter { $0.regardingKind == kind && $0.object[["regarding", "uid"]]?.stringValue == uid }
            #expect(about.compactMap(\.reason).sorted() == ["Issued", "RenewalFailed", "Renewed"], "\(kind): \(about.compactMap(\.reason))")
            #expect(about.first { $0.reason == "RenewalFailed" }?.type == "Warning")
            let failure = about.first { $0.reason == "RenewalFailed" }?.note ?? ""
            #expect(failure.contains("credentials Secret \(namespace)/dns") && failure.contains("does not exist"), "\(failure)")
            #expect(about.allSatisfy { $0.object[["reportingController"]]?.stringValue == "kubectl-certs" })
        }
        #expect(all.allSatisfy { !($0.note ?? "").contains(lab.tsigSecret) })

        // kubectl describe shows them on the Ingress, as cert-manager users expect.
        let described = try await Subprocess.run("kubectl", ["describe", "ingress", "shop", "-n", namespace], environment: lab.environment)
        #expect(described.status == 0, "\(described.stderr)")
        let section = try #require(described.stdout.components(separatedBy: "Events:").last)
        for reason in ["Issued", "Renewed", "RenewalFailed"] { #expect(section.contains(reason), "\(described.stdout)") }
        #expect(section.contains("kubectl-certs"))
    }
}
