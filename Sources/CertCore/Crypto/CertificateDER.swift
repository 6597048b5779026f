/// A certificate split into the DER of its fields (RFC 5280 §4.1), each checked to have the tag
/// and shape `d2i_X509` demands, none decoded yet. The whole input must be one certificate.
struct CertificateDER {
    let bytes: [UInt8]
    let serialNumber: DER.Element
    let issuer: DER.Element
    let notBefore: DER.Element
    let notAfter: DER.Element
    let subject: DER.Element
    let subjectPublicKeyInfo: DER.Element
    /// The OBJECT IDENTIFIER of the outer signatureAlgorithm, the one OpenSSL names.
    let signatureAlgorithm: DER.Element
    private let extensions: [(identifier: Range<Int>, value: Range<Int>)]

    init(_ bytes: [UInt8]) throws(CryptoError) {
        self.bytes = bytes
        var outer = DER.Reader(bytes, reading: "the certificate")
        let certificate = try outer.read(DER.Tag.sequence, "the Certificate SEQUENCE")
        try outer.expectEnd("the certificate")
        var parts = outer.inside(certificate)
        let tbs = try parts.read(DER.Tag.sequence, "the TBSCertificate")
        signatureAlgorithm = try parts.readAlgorithm("the signatureAlgorithm").algorithm
        _ = try parts.readBitString("the signatureValue")
        try parts.expectEnd("the signatureValue")

        var fields = parts.inside(tbs)
        if let version = try fields.readIfPresent(DER.Tag.explicit(0), "the version") {
            var inner = fields.inside(version)
            _ = try inner.readInteger("the version number")
            try inner.expectEnd("the version number")
        }
        serialNumber = try fields.read(DER.Tag.integer, "the serialNumber")
        _ = try fields.readAlgorithm("the TBSCertificate's signature algorithm")
        issuer = try fields.read(DER.Tag.sequence, "the issuer")
        var validity = fields.inside(try fields.read(DER.Tag.sequence, "the validity"))
        notBefore = try Self.readTime(&validity, "notBefore")
        notAfter = try Self.readTime(&validity, "notAfter")
        try validity.expectEnd("notAfter")
        subject = try fields.read(DER.Tag.sequence, "the subject")
        subjectPublicKeyInfo = try fields.read(DER.Tag.sequence, "the subjectPublicKeyInfo")
        var keyInfo = fields.inside(subjectPublicKeyInfo)
        _ = try keyInfo.readAlgorithm("the subjectPublicKeyInfo's algorithm")
        _ = try keyInfo.readBitString("the subjectPublicKey")
        try keyInfo.expectEnd("the subjectPublicKey")
        if fields.nextTag == DER.Tag.implicit(1) { _ = try fields.readBitString("the issuerUniqueID", tag: DER.Tag.implicit(1)) }
        if fields.nextTag == DER.Tag.implicit(2) { _ = try fields.readBitString("the subjectUniqueID", tag: DER.Tag.implicit(2)) }
        var extensions: [(identifier: Range<Int>, value: Range<Int>)] = []
        if let wrapper = try fields.readIfPresent(DER.Tag.explicit(3), "the extensions") {
            var inner = fields.inside(wrapper)
            var list = inner.inside(try inner.read(DER.Tag.sequence, "the extensions list"))
            try inner.expectEnd("the extensions list")
            while !list.isAtEnd {
                var parts = list.inside(try list.read(DER.Tag.sequence, "an extension"))
                let identifier = try parts.readObjectIdentifier("an extension's extnID")
                if let critical = try parts.readIfPresent(DER.Tag.boolean, "an extension's critical flag"), critical.contents.count != 1 {
                    throw parts.error("an extension's critical flag is not one byte long")
                }
                let value = try parts.read(DER.Tag.octetString, "an extension's extnValue")
                try parts.expectEnd("an extension's extnValue")
                extensions.append((identifier.contents, value.contents))
            }
        }
        try fields.expectEnd("the TBSCertificate's last field")
        self.extensions = extensions
    }

    /// The whole encoding of `element`.
    subscript(_ element: DER.Element) -> ArraySlice<UInt8> { bytes[element.encoding] }

    /// The extnValue contents of the extension whose extnID has contents `identifier`; nil when
    /// it is absent, and — as OpenSSL's `X509_get_ext_d2i` has it — when it occurs twice.
    func extensionValue(_ identifier: [UInt8]) -> ArraySlice<UInt8>? {
        let matching = extensions.filter { bytes[$0.identifier].elementsEqual(identifier) }
        guard matching.count == 1 else { return nil }
        return bytes[matching[0].value]
    }

    /// Contents of the extnIDs read here: subjectAltName, subjectKeyIdentifier,
    /// authorityKeyIdentifier, basicConstraints (2.5.29.17, .14, .35, .19).
    enum Extension {
        static let subjectAlternativeName: [UInt8] = [0x55, 0x1D, 0x11]
        static let subjectKeyIdentifier: [UInt8] = [0x55, 0x1D, 0x0E]
        static let authorityKeyIdentifier: [UInt8] = [0x55, 0x1D, 0x23]
        static let basicConstraints: [UInt8] = [0x55, 0x1D, 0x13]
    }

    private static func readTime(_ validity: inout DER.Reader, _ what: String) throws(CryptoError) -> DER.Element {
        guard validity.nextTag == DER.Tag.utcTime || validity.nextTag == DER.Tag.generalizedTime else {
            throw validity.error("\(what) is missing or is neither a UTCTime nor a GeneralizedTime")
        }
        return try validity.next(what)
    }
}
