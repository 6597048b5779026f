public import Foundation

/// core/v1 Secret.
public struct Secret: TypedObject {
    public static let resourceType = ResourceType.secrets
    public var object: KubernetesObject

    public init(object: KubernetesObject) {
        self.object = object
    }

    /// e.g. "kubernetes.io/tls"; "Opaque" when unset.
    public var type: String {
        get { object[["type"]]?.stringValue ?? "Opaque" }
        set { object[["type"]] = .string(newValue) }
    }

    /// The decoded `data` map (values that are not base64 are left out).
    public var data: [String: Data] {
        get { (object[["data"]]?.objectValue ?? [:]).compactMapValues { $0.stringValue.flatMap { Data(base64Encoded: $0) } } }
        set { object[["data"]] = .object(newValue.mapValues { .string($0.base64EncodedString()) }) }
    }

    /// Sets one key of `data`, keeping the others.
    public mutating func setData(_ key: String, _ value: Data) {
        object[["data", key]] = .string(value.base64EncodedString())
    }

    public static let tlsType = "kubernetes.io/tls"

    /// The first certificate of `tls.crt`, when there is one that parses.
    public var leafCertificate: Certificate? {
        guard let pem = data["tls.crt"] else { return nil }
        return try? Certificate.parseChain(pem: String(decoding: pem, as: UTF8.self)).first
    }
}
