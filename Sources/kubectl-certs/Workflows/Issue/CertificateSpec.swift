import CertCore

/// One certificate to issue: its names, where it is stored, and its key.
struct CertificateSpec: Sendable {
    var namespace: String
    var secretName: String
    var dnsNames: [String]
    var commonName: String?
    var keyType: KeyType
    var keyEncoding: PrivateKeyEncoding
    /// cert-manager's rotationPolicy Never keeps a stored key of the right type.
    var reuseStoredKey: Bool
    /// The cert-manager Certificate this is for, when issuing `certificate/NAME`.
    var certificateName: String?
    /// Where the issuer settings come from, when not from flags.
    var issuer: IssuerReference?
    /// Labels cert-manager's `matchLabels` solver selectors look at.
    var labels: [String: String]
    /// What asked for it, for messages: `ingress/web`, `certificate/web`, `-d`.
    var origin: String
    /// The Ingress or cert-manager Certificate it serves, which Events are also about.
    var servedBy: ObjectReference? = nil

    /// The order's identifiers: each name in its ASCII form (lower case, Unicode labels as
    /// A-labels, as the CSR has them), repeats folded.
    var orderNames: [String] {
        var seen = Set<String>()
        return dnsNames.map(Punycode.asciiDomain).filter { seen.insert($0).inserted }
    }
}
