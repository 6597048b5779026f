/// SubjectPublicKeyInfo (RFC 5280 §4.1.2.7) of the common key kinds, described and built from
/// DER alone: RSA (RFC 8017), ECDSA on the NIST curves (RFC 5480) and Ed25519 (RFC 8410).
enum SubjectPublicKeyInfo {
    /// Contents of the algorithm OBJECT IDENTIFIERs.
    enum Algorithm {
        static let rsaEncryption: [UInt8] = [0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x01, 0x01]
        static let ecPublicKey: [UInt8] = [0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x02, 0x01]
        static let ed25519: [UInt8] = [0x2B, 0x65, 0x70]
    }

    struct Curve {
        let name: String
        /// Contents of the namedCurve OBJECT IDENTIFIER.
        let identifier: [UInt8]
        /// Bytes of one coordinate.
        let coordinateBytes: Int

        static let all = [
            Curve(name: "P-256", identifier: [0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x03, 0x01, 0x07], coordinateBytes: 32),
            Curve(name: "P-384", identifier: [0x2B, 0x81, 0x04, 0x00, 0x22], coordinateBytes: 48),
            Curve(name: "P-521", identifier: [0x2B, 0x81, 0x04, 0x00, 0x23], coordinateBytes: 66),
        ]

        static func named(_ identifier: ArraySlice<UInt8>) -> Curve? {
            all.first { $0.identifier.elementsEqual(identifier) }
        }

        /// Whether `point` is an encoded point of this curve, uncompressed (0x04‖x‖y) or
        /// compressed (0x02/0x03‖x), that lies on the curve.
        func fits(_ point: ArraySlice<UInt8>) -> Bool {
            let shaped = switch point.first {
            case 0x04: point.count == 1 + 2 * coordinateBytes
            case 0x02, 0x03: point.count == 1 + coordinateBytes
            default: false
            }
            return shaped && ECPointCheck.isOnCurve(point, curve: name)
        }
    }

    /// "RSA <modulus bits>", "ECDSA P-256|P-384|P-521" or "Ed25519" for a well-formed key of
    /// those kinds; nil for anything else, which only OpenSSL's decoding can describe.
    /// `spki` reads the contents of the SubjectPublicKeyInfo SEQUENCE.
    static func description(_ spki: DER.Reader) -> String? {
        var fields = spki
        guard let (algorithm, parameters) = try? fields.readAlgorithm("the public key algorithm"),
              let keyElement = try? fields.readBitString("the public key"), fields.isAtEnd else { return nil }
        let bytes = spki.bytes
        let key = bytes[keyElement.contents]
        guard key.first == 0 else { return nil }
        let keyBytes = key.dropFirst()
        let identifier = bytes[algorithm.contents]
        if identifier.elementsEqual(Algorithm.rsaEncryption) {
            guard let parameters, parameters.tag == DER.Tag.null, parameters.contents.isEmpty,
                  let bits = rsaModulusBits(keyBytes) else { return nil }
            return "RSA \(bits)"
        }
        if identifier.elementsEqual(Algorithm.ecPublicKey) {
            guard let parameters, parameters.tag == DER.Tag.objectIdentifier,
                  let curve = Curve.named(bytes[parameters.contents]), curve.fits(keyBytes) else { return nil }
            return "ECDSA \(curve.name)"
        }
        if identifier.elementsEqual(Algorithm.ed25519) {
            guard parameters == nil, keyBytes.count == 32 else { return nil }
            return "Ed25519"
        }
        return nil
    }

    /// The bits of the modulus of a DER RSAPublicKey (SEQUENCE { n, e }, both positive).
    private static func rsaModulusBits(_ der: ArraySlice<UInt8>) -> Int? {
        var outer = DER.Reader(Array(der), reading: "the RSA public key")
        guard let sequence = try? outer.read(DER.Tag.sequence, "the RSA public key"), outer.isAtEnd else { return nil }
        var numbers = outer.inside(sequence)
        guard let modulus = try? numbers.readInteger("the modulus"),
              let exponent = try? numbers.readInteger("the exponent"), numbers.isAtEnd else { return nil }
        let n = outer.bytes[modulus.contents], e = outer.bytes[exponent.contents]
        guard isPositive(n), isPositive(e) else { return nil }
        let significant = n.drop { $0 == 0 }
        guard let first = significant.first else { return nil }
        return (significant.count - 1) * 8 + (8 - first.leadingZeroBitCount)
    }

    /// Whether a minimal INTEGER's contents are greater than zero.
    static func isPositive(_ contents: ArraySlice<UInt8>) -> Bool {
        guard let first = contents.first, first & 0x80 == 0 else { return false }
        return contents.contains { $0 != 0 }
    }

    /// The SubjectPublicKeyInfo of an RSA key, from the DER INTEGERs `modulus` and `exponent`
    /// (whole elements), laid out as OpenSSL's `i2d_PUBKEY` writes it.
    static func rsa(modulus: ArraySlice<UInt8>, exponent: ArraySlice<UInt8>) -> [UInt8] {
        let algorithm = DER.encode(DER.Tag.sequence, DER.encode(DER.Tag.objectIdentifier, Algorithm.rsaEncryption) + [DER.Tag.null, 0])
        let key = DER.encode(DER.Tag.sequence, Array(modulus) + Array(exponent))
        return DER.encode(DER.Tag.sequence, algorithm + DER.encode(DER.Tag.bitString, [0] + key))
    }

    /// The SubjectPublicKeyInfo of an EC key on `curve` whose encoded point is `point`.
    static func ec(curve: Curve, point: ArraySlice<UInt8>) -> [UInt8] {
        let algorithm = DER.encode(DER.Tag.sequence, DER.encode(DER.Tag.objectIdentifier, Algorithm.ecPublicKey) + DER.encode(DER.Tag.objectIdentifier, curve.identifier))
        return DER.encode(DER.Tag.sequence, algorithm + DER.encode(DER.Tag.bitString, [0] + Array(point)))
    }
}
