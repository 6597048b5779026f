public import Foundation

/// An X.509 certificate, parsed once into plain values.
public struct Certificate: Sendable, Equatable {
    public let der: Data
    public let subject: String
    public let subjectCommonName: String?
    public let issuer: String
    public let issuerCommonName: String?
    /// Lower-case hex, no separators.
    public let serialNumber: String
    public let notBefore: Date
    public let notAfter: Date
    public let dnsNames: [String]
    public let ipAddresses: [String]
    public let uris: [String]
    public let emailAddresses: [String]
    /// E.g. "ECDSA P-256", "RSA 2048".
    public let publicKeyDescription: String
    public let subjectKeyIdentifier: Data?
    public let authorityKeyIdentifier: Data?
    /// OpenSSL's short name, e.g. "ecdsa-with-SHA256", "RSA-SHA256".
    public let signatureAlgorithm: String
    public let isCA: Bool
    /// The DER SubjectPublicKeyInfo, to match private keys without parsing again.
    let publicKeyInfo: Data

    public static func == (lhs: Certificate, rhs: Certificate) -> Bool { lhs.der == rhs.der }

    /// Every CERTIFICATE block of a PEM text, in order; no block at all is an error.
    public static func parseChain(pem: String) throws(CryptoError) -> [Certificate] {
        guard let blocks = PEM.decode(pem, label: "CERTIFICATE") else {
            throw CryptoError("the PEM text is malformed (a CERTIFICATE block is cut off or not base64)")
        }
        guard !blocks.isEmpty else { throw CryptoError("the text holds no PEM certificate") }
        var chain: [Certificate] = []
        for block in blocks { chain.append(try Certificate(der: block)) }
        return chain
    }

    /// Reads one DER certificate. Each field goes through OpenSSL's decoder of that field alone
    /// (see `X509Fields`); the public key is described from its DER where that is enough.
    public init(der: Data) throws(CryptoError) {
        let fields = try CertificateDER([UInt8](der))
        defer { CryptoError.clearOpenSSLErrors() }
        func refused(_ what: String) -> CryptoError { CryptoError("the certificate's \(what) does not parse") }
        self.der = der
        guard let subject = X509Fields.name(fields[fields.subject]) else { throw refused("subject name") }
        guard let issuer = X509Fields.name(fields[fields.issuer]) else { throw refused("issuer name") }
        (self.subject, subjectCommonName) = (subject.text, subject.commonName)
        (self.issuer, issuerCommonName) = (issuer.text, issuer.commonName)
        guard let serialNumber = X509Fields.serialNumber(fields[fields.serialNumber]) else { throw refused("serial number") }
        self.serialNumber = serialNumber
        guard let notBefore = X509Fields.time(fields[fields.notBefore]) else { throw refused("notBefore time") }
        guard let notAfter = X509Fields.time(fields[fields.notAfter]) else { throw refused("notAfter time") }
        (self.notBefore, self.notAfter) = (notBefore, notAfter)
        guard let signatureAlgorithm = X509Fields.objectShortName(fields[fields.signatureAlgorithm]) else { throw refused("signature algorithm") }
        self.signatureAlgorithm = signatureAlgorithm
        let names = fields.extensionValue(CertificateDER.Extension.subjectAlternativeName).flatMap(X509Fields.alternativeNames) ?? .init()
        dnsNames = names.dns
        ipAddresses = names.ip
        uris = names.uri
        emailAddresses = names.email
        subjectKeyIdentifier = fields.extensionValue(CertificateDER.Extension.subjectKeyIdentifier).flatMap(X509Fields.octetString)
        authorityKeyIdentifier = fields.extensionValue(CertificateDER.Extension.authorityKeyIdentifier).flatMap(X509Fields.authorityKeyIdentifier)
        isCA = fields.extensionValue(CertificateDER.Extension.basicConstraints).flatMap(X509Fields.isCA(basicConstraints:)) ?? false
        let keyInfo = fields[fields.subjectPublicKeyInfo]
        publicKeyDescription = SubjectPublicKeyInfo.description(DER.Reader(fields.bytes, reading: "the public key").inside(fields.subjectPublicKeyInfo))
            ?? X509Fields.keyDescription(subjectPublicKeyInfo: keyInfo)
        publicKeyInfo = Data(keyInfo)
    }

    public var pem: String { PEM.encode(der, label: "CERTIFICATE") }

    /// Whether `key` is the private half of this certificate's public key.
    public func matches(_ key: PrivateKey) -> Bool {
        !publicKeyInfo.isEmpty && publicKeyInfo == key.publicKeyInfo
    }

    /// Whether the PEM private key in `keyPEM`, of any kind OpenSSL reads, is the private half
    /// of this certificate's public key.
    public func matches(keyPEM: String) -> Bool {
        guard !publicKeyInfo.isEmpty, let other = try? PrivateKey.publicKeyInfo(pem: keyPEM) else { return false }
        return publicKeyInfo == other
    }
}
