import Foundation

/// The SubjectPublicKeyInfo of a private key, read straight from the key's DER with no OpenSSL
/// decoder: PKCS#1 RSA keys (RFC 8017 A.1.2), SEC1 EC keys on P-256/P-384/P-521 that carry their
/// public point (RFC 5915), and PKCS#8 (RFC 5208) wrapping either. The public key is taken as
/// the key holds it, as OpenSSL takes it, so the answer is the bytes `i2d_PUBKEY` gives.
/// Every other form (encrypted, Ed25519, EC without its public point, explicit curve
/// parameters, anything unusual) gives nil and is left to OpenSSL.
enum PrivateKeyDER {
    /// `der` is the contents of a PEM block labelled `label`.
    static func subjectPublicKeyInfo(label: String, der: Data) -> Data? {
        var reader = DER.Reader([UInt8](der), reading: "the private key")
        guard let key = try? reader.read(DER.Tag.sequence, "the private key"), reader.isAtEnd else { return nil }
        let fields = reader.inside(key)
        let info: [UInt8]?
        switch label {
        case "RSA PRIVATE KEY": info = rsa(fields)
        case "EC PRIVATE KEY": info = ec(fields, curve: nil)
        case "PRIVATE KEY": info = pkcs8(fields)
        default: info = nil
        }
        return info.map { Data($0) }
    }

    /// RSAPrivateKey ::= SEQUENCE { version 0, n, e, d, p, q, dP, dQ, qInv }.
    private static func rsa(_ key: DER.Reader) -> [UInt8]? {
        var fields = key
        guard let version = try? fields.readInteger("the version"), fields.bytes[version.contents].elementsEqual([0]) else { return nil }
        var numbers: [DER.Element] = []
        for _ in 0..<8 {
            guard let number = try? fields.readInteger("an RSA number") else { return nil }
            numbers.append(number)
        }
        guard fields.isAtEnd else { return nil }
        let modulus = numbers[0], exponent = numbers[1]
        guard SubjectPublicKeyInfo.isPositive(fields.bytes[modulus.contents]),
              SubjectPublicKeyInfo.isPositive(fields.bytes[exponent.contents]) else { return nil }
        return SubjectPublicKeyInfo.rsa(modulus: fields.bytes[modulus.encoding], exponent: fields.bytes[exponent.encoding])
    }

    /// ECPrivateKey ::= SEQUENCE { version 1, privateKey OCTET STRING, [0] namedCurve OPTIONAL,
    /// [1] publicKey BIT STRING OPTIONAL }. `curve` is the PKCS#8 wrapper's, if any.
    private static func ec(_ key: DER.Reader, curve outerCurve: SubjectPublicKeyInfo.Curve?) -> [UInt8]? {
        var fields = key
        let bytes = fields.bytes
        guard let version = try? fields.readInteger("the version"), bytes[version.contents].elementsEqual([1]),
              let secret = try? fields.read(DER.Tag.octetString, "the private key"), !secret.contents.isEmpty else { return nil }
        var curve = outerCurve
        if fields.nextTag == DER.Tag.explicit(0) {
            guard let wrapper = try? fields.next("the curve") else { return nil }
            var inner = fields.inside(wrapper)
            guard let identifier = try? inner.readObjectIdentifier("the curve"), inner.isAtEnd,
                  let named = SubjectPublicKeyInfo.Curve.named(bytes[identifier.contents]),
                  outerCurve == nil || outerCurve?.name == named.name else { return nil }
            curve = named
        }
        guard let curve, fields.nextTag == DER.Tag.explicit(1), let wrapper = try? fields.next("the public key"), fields.isAtEnd else { return nil }
        var inner = fields.inside(wrapper)
        guard let publicKey = try? inner.readBitString("the public key"), inner.isAtEnd else { return nil }
        let point = bytes[publicKey.contents]
        guard point.first == 0, curve.fits(point.dropFirst()) else { return nil }
        return SubjectPublicKeyInfo.ec(curve: curve, point: point.dropFirst())
    }

    /// PrivateKeyInfo ::= SEQUENCE { version 0, AlgorithmIdentifier, privateKey OCTET STRING }.
    private static func pkcs8(_ key: DER.Reader) -> [UInt8]? {
        var fields = key
        let bytes = fields.bytes
        guard let version = try? fields.readInteger("the version"), bytes[version.contents].elementsEqual([0]),
              let (algorithm, parameters) = try? fields.readAlgorithm("the key algorithm"),
              let wrapped = try? fields.read(DER.Tag.octetString, "the private key"), fields.isAtEnd,
              let parameters else { return nil }
        var inner = fields.inside(wrapped)
        guard let sequence = try? inner.read(DER.Tag.sequence, "the private key"), inner.isAtEnd else { return nil }
        let identifier = bytes[algorithm.contents]
        if identifier.elementsEqual(SubjectPublicKeyInfo.Algorithm.rsaEncryption) {
            guard parameters.tag == DER.Tag.null, parameters.contents.isEmpty else { return nil }
            return rsa(inner.inside(sequence))
        }
        if identifier.elementsEqual(SubjectPublicKeyInfo.Algorithm.ecPublicKey) {
            guard parameters.tag == DER.Tag.objectIdentifier, let curve = SubjectPublicKeyInfo.Curve.named(bytes[parameters.contents]) else { return nil }
            return ec(inner.inside(sequence), curve: curve)
        }
        return nil
    }
}
