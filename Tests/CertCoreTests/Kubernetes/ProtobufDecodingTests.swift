import CertCore
import Foundation
import Testing

/// The protobuf reader and the Kubernetes messages read with it, on messages built here byte by
/// byte from the wire format's rules (what the API server sends is held to the real kubectl in
/// LabTests).
@Suite struct ProtobufDecodingTests {
    /// Builds wire-format bytes: a tag is (number << 3) | wire type.
    private enum Wire {
        static func varint(_ value: UInt64) -> [UInt8] {
            var value = value, out: [UInt8] = []
            while value >= 0x80 { out.append(UInt8(value & 0x7f) | 0x80); value >>= 7 }
            return out + [UInt8(value)]
        }
        static func bytes(_ number: Int, _ payload: [UInt8]) -> [UInt8] {
            varint(UInt64(number << 3 | 2)) + varint(UInt64(payload.count)) + payload
        }
        static func string(_ number: Int, _ text: String) -> [UInt8] { bytes(number, Array(text.utf8)) }
        static func number(_ number: Int, _ value: UInt64) -> [UInt8] { varint(UInt64(number << 3)) + varint(value) }
        static func entry(_ number: Int, _ key: String, _ value: [UInt8]) -> [UInt8] { bytes(number, string(1, key) + bytes(2, value)) }
        static func envelope(kind: String, apiVersion: String, _ raw: [UInt8]) -> Data {
            Data([0x6b, 0x38, 0x73, 0x00] + bytes(1, string(1, apiVersion) + string(2, kind)) + bytes(2, raw))
        }
    }

    private func secret(_ name: String, namespace: String, key: [UInt8]) -> [UInt8] {
        let metadata = Wire.string(1, name) + Wire.string(3, namespace) + Wire.string(5, UUID().uuidString)
            + Wire.entry(11, "app", Array("web-\(name)".utf8)) + Wire.entry(12, "cert-manager.io/certificate-name", Array(name.utf8))
            + Wire.number(7, 3)
        return Wire.bytes(1, metadata) + Wire.entry(2, "tls.crt", Array("crt of \(name)".utf8)) + Wire.entry(2, "tls.key", key)
            + Wire.string(3, "kubernetes.io/tls")
    }

    @Test func aSecretListIsReadWithItsContinueToken() throws {
        let keys: [[UInt8]] = [[0, 1, 2, 0xff], Array(repeating: 0x80, count: 300)]
        let list = Wire.bytes(1, Wire.string(2, "4711") + Wire.string(3, "next-page-token"))
            + Wire.bytes(2, secret("web-tls", namespace: "shop", key: keys[0]))
            + Wire.bytes(2, secret("api-tls", namespace: "billing", key: keys[1]))
        let envelope = try KubernetesProtobuf.unwrap(Wire.envelope(kind: "SecretList", apiVersion: "v1", list))
        #expect(envelope.kind == "SecretList" && envelope.apiVersion == "v1")
        let read = try KubernetesProtobuf.list(envelope.object)
        #expect(read.continueToken == "next-page-token")
        #expect(read.resourceVersion == "4711")
        let secrets = try read.items.map { try ListedSecret(protobuf: $0) }
        #expect(secrets.map(\.name) == ["web-tls", "api-tls"])
        #expect(secrets.map(\.namespace) == ["shop", "billing"])
        #expect(secrets.map(\.type) == ["kubernetes.io/tls", "kubernetes.io/tls"])
        #expect(secrets[1].labels == ["app": "web-api-tls"])
        #expect(secrets[1].annotations == ["cert-manager.io/certificate-name": "api-tls"])
        #expect(secrets.map { $0.data["tls.key"] } == keys.map { Data($0) })
        #expect(secrets[0].data["tls.crt"] == Data("crt of web-tls".utf8))
    }

    @Test func aSecretWithoutATypeIsOpaqueAndAnEmptyListHasNoToken() throws {
        let list = Wire.bytes(1, Wire.string(2, "9")) + Wire.bytes(2, Wire.bytes(1, Wire.string(1, "plain")))
        let read = try KubernetesProtobuf.list(try KubernetesProtobuf.unwrap(Wire.envelope(kind: "SecretList", apiVersion: "v1", list)).object)
        #expect(read.continueToken == nil)
        #expect(try read.items.map { try ListedSecret(protobuf: $0).type } == ["Opaque"])
    }

    @Test func anIngressKeepsEachTLSEntryWithItsHosts() throws {
        let tls = Wire.bytes(2, Wire.string(1, "shop.example.com") + Wire.string(1, "www.shop.example.com") + Wire.string(2, "shop-tls"))
            + Wire.bytes(2, Wire.string(1, "sni-only.example.com"))
        let rule = Wire.bytes(3, Wire.string(1, "shop.example.com"))
        let ingress = Wire.bytes(1, Wire.string(1, "shop") + Wire.string(3, "retail")) + Wire.bytes(2, Wire.bytes(1, []) + tls + rule + Wire.string(4, "nginx"))
        let read = try ListedIngress(protobuf: ProtobufReader(Data(ingress)))
        #expect(read.name == "shop" && read.namespace == "retail")
        #expect(read.tls == [Ingress.TLS(hosts: ["shop.example.com", "www.shop.example.com"], secretName: "shop-tls"),
                             Ingress.TLS(hosts: ["sni-only.example.com"], secretName: nil)])
    }

    @Test func anErrorStatusGivesItsReasonMessageAndCode() throws {
        let status = Wire.bytes(1, []) + Wire.string(2, "Failure") + Wire.string(3, "secrets \"gone\" not found")
            + Wire.string(4, "NotFound") + Wire.bytes(5, Wire.string(1, "gone") + Wire.string(3, "secrets")) + Wire.number(6, 404)
        let read = try KubernetesProtobuf.status(try KubernetesProtobuf.unwrap(Wire.envelope(kind: "Status", apiVersion: "v1", status)).object)
        #expect(read["reason"]?.stringValue == "NotFound")
        #expect(read["message"]?.stringValue == "secrets \"gone\" not found")
        #expect(read["code"] == .number(404))
    }

    @Test(arguments: [
        ("a length past the end", Wire.string(1, "name").dropLast(1)),
        ("a varint that never ends", [0x08, 0x80, 0x80]),
        ("a group (wire type 3)", [0x0b, 0x00]),
        ("field number 0", [0x02, 0x00]),
        ("a fixed64 cut short", [0x09, 0x01, 0x02]),
    ] as [(String, [UInt8])])
    func malformedMessagesAreErrorsNotCrashes(what: String, bytes: [UInt8]) {
        #expect(throws: ProtobufReader.Malformed.self, "\(what)") {
            var reader = ProtobufReader(Data(bytes))
            while try reader.next() != nil {}
        }
        #expect(throws: ProtobufReader.Malformed.self, "\(what) inside a Secret") {
            _ = try ListedSecret(protobuf: ProtobufReader(Data(Wire.bytes(1, bytes))))
        }
    }

    @Test func anAnswerWithoutTheMagicIsRefused() {
        #expect(throws: ProtobufReader.Malformed.self) { try KubernetesProtobuf.unwrap(Data("{\"kind\":\"SecretList\"}".utf8)) }
    }
}
