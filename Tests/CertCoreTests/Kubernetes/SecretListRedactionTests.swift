@testable import CertCore
import Foundation
import Logging
import TestSupport
import Testing

/// Trace logs of lists, tables and watch events never show a Secret's values, whatever their
/// key names, nor the copy of a whole Secret that `kubectl apply` keeps in an annotation.
@Suite(.lab) struct SecretListRedactionTests {
    static let lastApplied = "kubectl.kubernetes.io/last-applied-configuration"

    @Test func listingSecretsAtTraceLevelShowsNoSecretValue_AgainstKubeTestServer() async throws {
        let lab = try KubernetesClientTests.KubeLab()
        let messages = MessageLog()
        var logger = Logger(label: "trace") { _ in CollectingHandler(log: messages) }
        logger.logLevel = .trace
        let client = try lab.client(logger: logger)
        let namespace = try await lab.namespace(client)
        let combinedPEM = "-----BEGIN PRIVATE KEY-----\nCOMBINED-KEY-MATERIAL-7f3a\n-----END PRIVATE KEY-----\n"
        let appliedValue = "APPLIED-SECRET-VALUE-91c2"
        var secret = Secret(name: "combined", namespace: namespace)
        secret.data = ["tls-combined.pem": Data(combinedPEM.utf8), "ca.crt": Data("PLAIN-CA-VALUE-44e1".utf8)]
        let applied: JSONValue = ["apiVersion": "v1", "kind": "Secret", "metadata": ["name": "combined", "namespace": .string(namespace)],
                                  "stringData": ["tls-combined.pem": .string(appliedValue)]]
        secret.annotations = [Self.lastApplied: String(decoding: applied.encoded(), as: UTF8.self), "team": "web"]
        _ = try await client.create(secret.object)

        let listed = try await client.list(.secrets, namespace: namespace)
        #expect(listed.count == 1)

        let text = messages.all.joined(separator: "\n")
        #expect(text.contains("response body:"))
        #expect(text.contains("\"team\":\"web\""))
        for value in ["COMBINED-KEY-MATERIAL-7f3a", appliedValue, "PLAIN-CA-VALUE-44e1"] {
            #expect(!text.contains(value))
            #expect(!text.contains(Data(value.utf8).base64EncodedString()))
        }
        #expect(!text.contains(Data(combinedPEM.utf8).base64EncodedString()))
    }

    @Test func secretListItemsWithoutKindAreRedacted() {
        let list: JSONValue = ["kind": "SecretList", "items": [["metadata": ["name": "a"], "data": ["cert.pem": "QUJD"]]]]
        let text = String(decoding: Redaction.redact(list).encoded(), as: UTF8.self)
        #expect(!text.contains("QUJD"))
        #expect(text.contains("cert.pem"))
    }

    @Test func tableRowsAndWatchEventsAreRedacted() {
        let table: JSONValue = ["kind": "Table", "rows": [["cells": ["a", "Opaque", 1], "object": ["metadata": ["name": "a"], "data": ["x.pem": "VEFCTEU="]]]]]
        let event: JSONValue = ["type": "ADDED", "object": ["kind": "Secret", "data": ["y.pem": "RVZFTlQ="], "stringData": ["z": "PLAINEVENT"]]]
        let text = String(decoding: Redaction.redact(.array([table, event])).encoded(), as: UTF8.self)
        for value in ["VEFCTEU=", "RVZFTlQ=", "PLAINEVENT"] { #expect(!text.contains(value)) }
    }

    @Test func otherKindsKeepTheirData() {
        let list: JSONValue = ["kind": "ConfigMapList", "items": [["metadata": ["name": "a"], "data": ["color": "blue-4d"]]]]
        let text = String(decoding: Redaction.redact(list).encoded(), as: UTF8.self)
        #expect(text.contains("blue-4d"))
    }

    @Test func lastAppliedConfigurationIsRedactedOnAnyObject() {
        let object: JSONValue = ["kind": "Ingress", "metadata": ["annotations": [Self.lastApplied: "{\"stringData\":{\"k\":\"LEAKED-9\"}}", "note": "kept"]]]
        let text = String(decoding: Redaction.redact(object).encoded(), as: UTF8.self)
        #expect(!text.contains("LEAKED-9"))
        #expect(text.contains("kept"))
    }
}
