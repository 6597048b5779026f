public import Foundation

/// cert-manager.io/v1 Certificate.
public struct CertManagerCertificate: TypedObject {
    public static let resourceType = ResourceType.certificates
    public var object: KubernetesObject

    public init(object: KubernetesObject) {
        self.object = object
    }

    public var secretName: String? { object[["spec", "secretName"]]?.stringValue }
    public var commonName: String? { object[["spec", "commonName"]]?.stringValue }
    public var dnsNames: [String] { (object[["spec", "dnsNames"]]?.arrayValue ?? []).compactMap(\.stringValue) }

    public var issuerReference: IssuerReference? {
        guard let ref = object[["spec", "issuerRef"]], let name = ref["name"]?.stringValue else { return nil }
        return IssuerReference(name: name, kind: ref["kind"]?.stringValue ?? "Issuer", group: ref["group"]?.stringValue ?? "cert-manager.io")
    }

    /// `spec.privateKey`: algorithm (RSA, ECDSA, Ed25519), size, encoding (PKCS1, PKCS8), rotationPolicy (Never, Always).
    public struct PrivateKeySettings: Sendable, Equatable {
        public var algorithm: String?
        public var size: Int?
        /// `size` as written when it is a number but no whole number of bits kubectl-certs can
        /// hold (a fraction, or out of range); `size` is then nil.
        public var unreadableSize: String?
        public var encoding: String?
        public var rotationPolicy: String?
    }

    public var privateKey: PrivateKeySettings {
        let spec = object[["spec", "privateKey"]]
        return PrivateKeySettings(
            algorithm: spec?["algorithm"]?.stringValue,
            size: spec?["size"]?.intValue,
            unreadableSize: spec?["size"]?.numberValue.flatMap { Int(exactly: $0) == nil ? String(describing: $0) : nil },
            encoding: spec?["encoding"]?.stringValue,
            rotationPolicy: spec?["rotationPolicy"]?.stringValue
        )
    }

    public var conditions: [ObjectCondition] { ObjectCondition.list(object[["status", "conditions"]]) }
    public var readyCondition: ObjectCondition? { conditions.first { $0.type == "Ready" } }
    public var renewalTime: Date? { object[["status", "renewalTime"]]?.stringValue.flatMap(RFC3339.parse) }
    public var notAfter: Date? { object[["status", "notAfter"]]?.stringValue.flatMap(RFC3339.parse) }
}

/// cert-manager.io/v1 CertificateRequest.
public struct CertManagerCertificateRequest: TypedObject {
    public static let resourceType = ResourceType.certificateRequests
    public var object: KubernetesObject

    public init(object: KubernetesObject) {
        self.object = object
    }

    public var conditions: [ObjectCondition] { ObjectCondition.list(object[["status", "conditions"]]) }
}

/// cert-manager.io/v1 Issuer or ClusterIssuer, for their `spec.acme`.
public struct CertManagerIssuer: TypedObject {
    public static let resourceType = ResourceType.issuers
    public var object: KubernetesObject

    public init(object: KubernetesObject) {
        self.object = object
    }

    public var isClusterIssuer: Bool { object.kind == "ClusterIssuer" }

    /// `spec.acme`, when this issuer is an ACME issuer.
    public struct ACME: Sendable, Equatable {
        public var server: String?
        public var email: String?
        /// The Secret holding the ACME account key (`privateKeySecretRef.name`, key `tls.key`).
        public var privateKeySecretName: String?
        public var preferredChain: String?
        public var externalAccountKeyID: String?
        public var externalAccountSecret: (name: String, key: String)?
        /// The `solvers` list as written; the issue workflow reads it with cert-manager's rules.
        public var solvers: [JSONValue]

        public static func == (lhs: ACME, rhs: ACME) -> Bool {
            lhs.server == rhs.server && lhs.email == rhs.email && lhs.privateKeySecretName == rhs.privateKeySecretName
                && lhs.preferredChain == rhs.preferredChain && lhs.externalAccountKeyID == rhs.externalAccountKeyID
                && lhs.externalAccountSecret?.name == rhs.externalAccountSecret?.name && lhs.externalAccountSecret?.key == rhs.externalAccountSecret?.key
                && lhs.solvers == rhs.solvers
        }
    }

    public var acme: ACME? {
        guard let acme = object[["spec", "acme"]] else { return nil }
        let eab = acme["externalAccountBinding"]
        var eabSecret: (name: String, key: String)?
        if let name = eab?["keySecretRef"]?["name"]?.stringValue {
            eabSecret = (name, eab?["keySecretRef"]?["key"]?.stringValue ?? "secret")
        }
        return ACME(
            server: acme["server"]?.stringValue,
            email: acme["email"]?.stringValue,
            privateKeySecretName: acme["privateKeySecretRef"]?["name"]?.stringValue,
            preferredChain: acme["preferredChain"]?.stringValue,
            externalAccountKeyID: eab?["keyID"]?.stringValue,
            externalAccountSecret: eabSecret,
            solvers: acme["solvers"]?.arrayValue ?? []
        )
    }
}

/// cert-manager.io/v1 ClusterIssuer: the same spec as an Issuer, cluster-scoped.
public struct CertManagerClusterIssuer: TypedObject {
    public static let resourceType = ResourceType.clusterIssuers
    public var object: KubernetesObject

    public init(object: KubernetesObject) {
        self.object = object
    }

    public var issuer: CertManagerIssuer { CertManagerIssuer(object: object) }
}
