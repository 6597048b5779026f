import Foundation
import TestSupport
import Testing

/// Holds the test server's Events to kube-apiserver's through the real kubectl (1.32): one Event,
/// written through `events.k8s.io/v1` (as `kubectl certs renew` writes them), is what
/// `kubectl describe`, `kubectl get events` and `kubectl events` show; the core `v1` view and the
/// `events.k8s.io/v1` view are two shapes of the same object; the field selectors kubectl uses
/// work; a client's mistakes get the real 422 wording. Each test starts a server of its own from
/// this checkout.
@Suite(.lab) struct KubectlEventsFidelityTests {
    /// An Ingress `web`, the Certificate `web` and the Secret `web-tls` they serve, in `NS`.
    static let servedObjects = """
        apiVersion: networking.k8s.io/v1
        kind: Ingress
        metadata: {name: web, namespace: NS}
        spec:
          tls: [{hosts: [web.example.test], secretName: web-tls}]
          rules: [{host: web.example.test}]
        ---
        apiVersion: cert-manager.io/v1
        kind: Certificate
        metadata: {name: web, namespace: NS}
        spec:
          secretName: web-tls
          dnsNames: [web.example.test]
          issuerRef: {name: lab, kind: ClusterIssuer}
        ---
        apiVersion: v1
        kind: Secret
        metadata: {name: web-tls, namespace: NS}
        type: kubernetes.io/tls
        stringData: {tls.crt: cert, tls.key: key}

        """

    /// An `events.k8s.io/v1` Event about one object, as a renewal reports it.
    static func event(_ name: String, namespace: String, regarding: (apiVersion: String, kind: String, name: String, uid: String),
                      reason: String, type: String = "Normal", note: String, instance: String = "renew-7f9c-0") -> String {
        """
        apiVersion: events.k8s.io/v1
        kind: Event
        metadata: {name: \(name), namespace: \(namespace)}
        eventTime: "\(microTime(Date()))"
        reportingController: kubectl-certs.io/renew
        reportingInstance: \(instance)
        action: Renew
        reason: \(reason)
        type: \(type)
        note: "\(note)"
        regarding: {apiVersion: \(regarding.apiVersion), kind: \(regarding.kind), name: \(regarding.name), namespace: \(namespace), uid: \(regarding.uid)}

        """
    }

    static func microTime(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyy-MM-dd'T'HH:mm:ss.SSSSSS'Z'"
        return formatter.string(from: date)
    }

    /// Creates the served objects in a fresh namespace and returns it with the uids of the three.
    static func served(_ kube: KubeTestCluster, _ purpose: String) async throws -> (ns: String, uids: [String: String]) {
        let ns = try await kube.makeNamespace(purpose)
        let created = try await kube.kubectl(["create", "-f", "-"], input: Data(servedObjects.replacingOccurrences(of: "NS", with: ns).utf8))
        try #require(created.status == 0, "\(created.stderr)")
        var uids: [String: String] = [:]
        for object in ["ingress/web", "certificate/web", "secret/web-tls"] {
            uids[object] = try await kube.succeed(["get", object, "-n", ns, "-o", "jsonpath={.metadata.uid}"])
        }
        return (ns, uids)
    }

    static func create(_ kube: KubeTestCluster, _ yaml: String) async throws -> Subprocess.Result {
        try await kube.kubectl(["create", "-f", "-"], input: Data(yaml.utf8))
    }

    /// The rows under `Events:` in `kubectl describe` output, cells split as kubectl aligns them.
    static func describedEvents(_ output: String) -> [[String]] {
        guard let start = output.range(of: "\nEvents:\n") else { return [] }
        return tableRows(String(output[start.upperBound...])).filter { !$0.contains("----") }
    }

    @Test func describeIngressAndCertificateListEventsWrittenThroughEventsAPI_AgainstKubeTestServer() async throws {
        let kube = try await KubeTestCluster.own()
        let (ns, uids) = try await Self.served(kube, "ev-describe")
        let onIngress = try await Self.create(kube, Self.event("web.renewed", namespace: ns,
            regarding: ("networking.k8s.io/v1", "Ingress", "web", uids["ingress/web"]!),
            reason: "Renewed", note: "renewed web-tls for web.example.test, valid until 2027-03-01"))
        #expect(onIngress.stdout == "event.events.k8s.io/web.renewed created\n", "\(onIngress.stderr)")
        let onCertificate = try await Self.create(kube, Self.event("web.failed", namespace: ns,
            regarding: ("cert-manager.io/v1", "Certificate", "web", uids["certificate/web"]!),
            reason: "RenewalFailed", type: "Warning", note: "the ACME server refused the order"))
        #expect(onCertificate.status == 0, "\(onCertificate.stderr)")

        let ingress = Self.describedEvents(try await kube.succeed(["describe", "ingress", "web", "-n", ns]))
        #expect(ingress.first == ["Type", "Reason", "Age", "From", "Message"])
        #expect(ingress.dropFirst().map { [$0[0], $0[1], $0[3], $0[4]] } ==
                [["Normal", "Renewed", "kubectl-certs.io/renew", "renewed web-tls for web.example.test, valid until 2027-03-01"]])

        let certificate = Self.describedEvents(try await kube.succeed(["describe", "certificate", "web", "-n", ns]))
        #expect(certificate.dropFirst().map { [$0[0], $0[1], $0[3], $0[4]] } ==
                [["Warning", "RenewalFailed", "kubectl-certs.io/renew", "the ACME server refused the order"]])
    }

    @Test func eventsAboutASecretAreListedForIt_AgainstKubeTestServer() async throws {
        // kubectl's Secret describer never asks for Events (against any server); `kubectl events
        // --for` is how a user sees them.
        let kube = try await KubeTestCluster.own()
        let (ns, uids) = try await Self.served(kube, "ev-secret")
        await #expect(try Self.create(kube, Self.event("web-tls.issued", namespace: ns,
            regarding: ("v1", "Secret", "web-tls", uids["secret/web-tls"]!), reason: "Issued",
            note: "issued for web.example.test")).status == 0)
        await #expect(try Self.create(kube, Self.event("web.other", namespace: ns,
            regarding: ("networking.k8s.io/v1", "Ingress", "web", uids["ingress/web"]!), reason: "Renewed",
            note: "about the Ingress")).status == 0)

        let rows = tableRows(try await kube.succeed(["events", "--for", "secret/web-tls", "-n", ns]))
        #expect(rows.first == ["LAST SEEN", "TYPE", "REASON", "OBJECT", "MESSAGE"])
        #expect(rows.dropFirst().map { Array($0.dropFirst()) } == [["Normal", "Issued", "Secret/web-tls", "issued for web.example.test"]])
    }

    @Test func getEventsShowsOneEventThroughBothViews_AgainstKubeTestServer() async throws {
        let kube = try await KubeTestCluster.own()
        let (ns, uids) = try await Self.served(kube, "ev-views")
        await #expect(try Self.create(kube, Self.event("web-tls.failed", namespace: ns,
            regarding: ("v1", "Secret", "web-tls", uids["secret/web-tls"]!), reason: "RenewalFailed", type: "Warning",
            note: "DNS propagation timed out", instance: "renew-views-1")).status == 0)

        let table = tableRows(try await kube.succeed(["get", "events", "-n", ns]))
        #expect(table.first == ["LAST SEEN", "TYPE", "REASON", "OBJECT", "MESSAGE"])
        #expect(table.dropFirst().map { Array($0.dropFirst()) } == [["Warning", "RenewalFailed", "secret/web-tls", "DNS propagation timed out"]])
        let wide = tableRows(try await kube.succeed(["get", "events", "-n", ns, "-o", "wide"]))
        #expect(wide.first == ["LAST SEEN", "TYPE", "REASON", "OBJECT", "SUBOBJECT", "SOURCE", "MESSAGE", "FIRST SEEN", "COUNT", "NAME"])
        #expect(wide.dropFirst().first?.contains("kubectl-certs.io/renew, renew-views-1") == true)
        #expect(wide.dropFirst().first?.suffix(2) == ["1", "web-tls.failed"])

        // The core view of the event written through events.k8s.io/v1.
        let core = try await kube.json(["get", "events", "web-tls.failed", "-n", ns])
        #expect(core["apiVersion"] as? String == "v1")
        #expect(dig(core, "involvedObject", "uid") as? String == uids["secret/web-tls"])
        #expect(dig(core, "involvedObject", "kind") as? String == "Secret")
        #expect(core["message"] as? String == "DNS propagation timed out")
        #expect(core["reportingComponent"] as? String == "kubectl-certs.io/renew")
        #expect(core["reportingInstance"] as? String == "renew-views-1")
        #expect(core["action"] as? String == "Renew")
        #expect(dig(core, "source") as? [String: String] == [:])
        #expect(core.keys.contains("firstTimestamp") && core["firstTimestamp"] is NSNull)
        #expect(core["note"] == nil && core["regarding"] == nil)

        // The other way: a core Event in the old style, read through events.k8s.io/v1.
        let old = """
            apiVersion: v1
            kind: Event
            metadata: {name: web-tls.legacy, namespace: \(ns)}
            involvedObject: {apiVersion: v1, kind: Secret, name: web-tls, namespace: \(ns), uid: \(uids["secret/web-tls"]!)}
            reason: Adopted
            message: adopted by an older release
            source: {component: kubectl-certs-legacy}
            firstTimestamp: "2026-11-30T10:00:00Z"
            lastTimestamp: "2026-11-30T12:00:00Z"
            count: 4
            type: Normal

            """
        await #expect(try Self.create(kube, old).status == 0)
        let viewed = try await kube.json(["get", "events.v1.events.k8s.io", "web-tls.legacy", "-n", ns])
        #expect(viewed["apiVersion"] as? String == "events.k8s.io/v1")
        #expect(viewed["note"] as? String == "adopted by an older release")
        #expect(dig(viewed, "regarding", "name") as? String == "web-tls")
        #expect(dig(viewed, "deprecatedSource", "component") as? String == "kubectl-certs-legacy")
        #expect(viewed["deprecatedCount"] as? Int == 4)
        #expect(viewed["deprecatedFirstTimestamp"] as? String == "2026-11-30T10:00:00Z")
        #expect(viewed["deprecatedLastTimestamp"] as? String == "2026-11-30T12:00:00Z")
        #expect(viewed.keys.contains("eventTime") && viewed["eventTime"] is NSNull)
        #expect(viewed["message"] == nil && viewed["involvedObject"] == nil && viewed["count"] == nil)
    }

    @Test func fieldSelectorsPickTheEventsOfOneObject_AgainstKubeTestServer() async throws {
        let kube = try await KubeTestCluster.own()
        let (ns, uids) = try await Self.served(kube, "ev-select")
        for (name, apiVersion, kind, object, key) in [("sel.secret", "v1", "Secret", "web-tls", "secret/web-tls"),
                                                      ("sel.ingress", "networking.k8s.io/v1", "Ingress", "web", "ingress/web"),
                                                      ("sel.certificate", "cert-manager.io/v1", "Certificate", "web", "certificate/web")] {
            await #expect(try Self.create(kube, Self.event(name, namespace: ns, regarding: (apiVersion, kind, object, uids[key]!),
                                                     reason: "Issued", note: "selected \(kind)")).status == 0)
        }
        func names(_ arguments: [String]) async throws -> String {
            try await kube.succeed(arguments + ["-n", ns, "-o", "name"])
        }
        await #expect(try names(["get", "events", "--field-selector", "involvedObject.kind=Ingress,involvedObject.name=web"]) == "event/sel.ingress\n")
        await #expect(try names(["get", "events", "--field-selector", "involvedObject.uid=\(uids["secret/web-tls"]!)"]) == "event/sel.secret\n")
        await #expect(try names(["get", "events", "--field-selector", "involvedObject.name=web,involvedObject.namespace=\(ns)"])
                == "event/sel.certificate\nevent/sel.ingress\n")
        await #expect(try names(["get", "events.events.k8s.io", "--field-selector", "regarding.kind=Certificate"])
                == "event.events.k8s.io/sel.certificate\n")
        await #expect(try names(["get", "events.events.k8s.io", "--field-selector", "reportingController=kubectl-certs.io/renew,regarding.name!=web"])
                == "event.events.k8s.io/sel.secret\n")

        let refused = try await kube.kubectl(["get", "events.events.k8s.io", "-n", ns, "--field-selector", "involvedObject.name=web"])
        #expect(refused.status == 1)
        #expect(refused.stderr == """
            Error from server (BadRequest): Unable to find "events.k8s.io/v1, Resource=events" that match label selector "", \
            field selector "involvedObject.name=web": field label not supported: involvedObject.name

            """)
    }

    @Test func anEventsSeriesMayGrowButWhatItSaysIsImmutable_AgainstKubeTestServer() async throws {
        let kube = try await KubeTestCluster.own()
        let (ns, uids) = try await Self.served(kube, "ev-update")
        await #expect(try Self.create(kube, Self.event("web-tls.retry", namespace: ns,
            regarding: ("v1", "Secret", "web-tls", uids["secret/web-tls"]!), reason: "RenewalFailed", type: "Warning",
            note: "order refused, will retry")).status == 0)
        let seen = Self.microTime(Date())
        let grown = try await kube.kubectl(["patch", "events.events.k8s.io", "web-tls.retry", "-n", ns, "--type", "merge",
                                      "-p", #"{"series": {"count": 2, "lastObservedTime": "\#(seen)"}}"#])
        #expect(grown.stdout == "event.events.k8s.io/web-tls.retry patched\n", "\(grown.stderr)")
        let wide = tableRows(try await kube.succeed(["get", "events", "-n", ns, "-o", "wide"]))
        #expect(wide.dropFirst().first?.suffix(2) == ["2", "web-tls.retry"], "COUNT comes from the series")

        let rewritten = try await kube.kubectl(["patch", "events.events.k8s.io", "web-tls.retry", "-n", ns, "--type", "merge",
                                          "-p", #"{"note": "renewed after all", "reason": "Renewed"}"#])
        #expect(rewritten.status == 1)
        #expect(rewritten.stderr == """
            The Event "web-tls.retry" is invalid: 
            * reason: Invalid value: "Renewed": field is immutable
            * message: Invalid value: "renewed after all": field is immutable

            """)
        let stored = try await kube.json(["get", "events.events.k8s.io", "web-tls.retry", "-n", ns])
        #expect(stored["note"] as? String == "order refused, will retry")
        #expect(dig(stored, "series", "count") as? Int == 2)
        #expect(dig(stored, "series", "lastObservedTime") as? String == seen)
    }

    @Test func microTimesNeedExactlySixFractionalDigits_AgainstKubeTestServer() async throws {
        // kube-apiserver decodes MicroTime (an Event's eventTime, a Lease's renewTime) with Go's
        // layout 2006-01-02T15:04:05.000000Z07:00: whole seconds and nanoseconds are refused.
        let kube = try await KubeTestCluster.own()
        let ns = try await kube.makeNamespace("ev-microtime")
        func event(_ time: String) async -> String {
            """
            apiVersion: events.k8s.io/v1
            kind: Event
            metadata: {name: micro, namespace: \(ns)}
            eventTime: "\(time)"
            reportingController: kubectl-certs.io/renew
            reportingInstance: renew-micro
            action: Renew
            reason: Renewed
            type: Normal
            regarding: {kind: Secret, name: web-tls, namespace: \(ns)}

            """
        }
        let seconds = try await Self.create(kube, event("2026-12-01T10:00:00Z"))
        #expect(seconds.status == 1)
        #expect(seconds.stderr == """
            Error from server (BadRequest): error when creating "STDIN": Event in version "v1" cannot be handled as a \
            Event: parsing time "2026-12-01T10:00:00Z" as "2006-01-02T15:04:05.000000Z07:00": cannot parse "Z" as ".000000"

            """)
        let nanoseconds = try await Self.create(kube, event("2026-12-01T10:00:00.123456789Z"))
        #expect(nanoseconds.stderr.hasSuffix(#"cannot parse "789Z" as "Z07:00"\#n"#), "\(nanoseconds.stderr)")

        await #expect(try Self.create(kube, event("2026-12-01T11:00:00.250000+01:00")).status == 0)
        let stored = try await kube.json(["get", "events.events.k8s.io", "micro", "-n", ns])
        #expect(stored["eventTime"] as? String == "2026-12-01T10:00:00.250000Z", "written back in UTC")

        let lease = """
            apiVersion: coordination.k8s.io/v1
            kind: Lease
            metadata: {name: web-tls, namespace: \(ns)}
            spec: {holderIdentity: renew-micro, leaseDurationSeconds: 60, renewTime: "2026-12-01T10:00:00Z"}

            """
        let refused = try await Self.create(kube, lease)
        #expect(refused.stderr.contains(#"Lease in version "v1" cannot be handled as a Lease: parsing time "2026-12-01T10:00:00Z" as "2006-01-02T15:04:05.000000Z07:00""#),
                "\(refused.stderr)")
        await #expect(try Self.create(kube, lease.replacingOccurrences(of: "10:00:00Z", with: "10:00:00.000000Z")).status == 0)
    }

    @Test func invalidEventsAreRefusedWithTheRealWording_AgainstKubeTestServer() async throws {
        let kube = try await KubeTestCluster.own()
        let ns = try await kube.makeNamespace("ev-invalid")
        let noTime = """
            apiVersion: events.k8s.io/v1
            kind: Event
            metadata: {name: no-time, namespace: \(ns)}
            reportingController: kubectl-certs.io/renew
            reportingInstance: renew-1
            action: Renew
            reason: Renewed
            type: Routine
            regarding: {kind: Secret, name: web-tls, namespace: \(ns)}

            """
        let first = try await Self.create(kube, noTime)
        #expect(first.status == 1)
        #expect(first.stderr == """
            The Event "no-time" is invalid: 
            * eventTime: Required value
            * type: Invalid value: "": has invalid value: Routine

            """)

        let unreported = """
            apiVersion: events.k8s.io/v1
            kind: Event
            metadata: {name: unreported, namespace: \(ns)}
            eventTime: "2026-12-01T10:00:00.000000Z"
            type: Normal
            note: "\(String(repeating: "n", count: 1025))"
            regarding: {kind: Secret, name: web-tls, namespace: \(ns)}

            """
        let second = try await Self.create(kube, unreported)
        #expect(second.status == 1)
        #expect(second.stderr == """
            The Event "unreported" is invalid: 
            * reportingController: Required value
            * reportingController: Invalid value: "": name part must be non-empty
            * reportingController: Invalid value: "": name part must consist of alphanumeric characters, '-', '_' or '.', \
            and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex \
            used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')
            * reportingInstance: Required value
            * action: Required value
            * reason: Required value
            * message: Invalid value: "": can have at most 1024 characters

            """)

        let deprecated = """
            apiVersion: events.k8s.io/v1
            kind: Event
            metadata: {name: deprecated, namespace: \(ns)}
            eventTime: "2026-12-01T10:00:00.000000Z"
            reportingController: kubectl-certs.io/renew
            reportingInstance: renew-1
            action: Renew
            reason: Renewed
            type: Normal
            deprecatedCount: 3
            regarding: {kind: Secret, name: web-tls}

            """
        let third = try await Self.create(kube, deprecated)
        #expect(third.stderr == """
            The Event "deprecated" is invalid: 
            * involvedObject.namespace: Invalid value: "": does not match event.namespace
            * count: Invalid value: "": needs to be unset

            """)
        // The limit counts UTF-8 bytes, as Go's len() does: 600 × "é" is 1,200 bytes.
        let accented = try await Self.create(kube, Self.event("accented", namespace: ns, regarding: ("v1", "Secret", "web-tls", ""),
                                                        reason: "Renewed", note: String(repeating: "é", count: 600)))
        #expect(accented.stderr == """
            The Event "accented" is invalid: message: Invalid value: "": can have at most 1024 characters

            """)
        let listed = try await kube.succeed(["get", "events", "-n", ns, "-o", "name"])
        #expect(listed.isEmpty)
    }
}
