@testable import CertCore
import Foundation
import Testing

/// PEM blocks found by their markers in the text's UTF-8 bytes.
@Suite struct PEMDecodingTests {
    let first = Data((0..<40).map { UInt8($0 * 3 & 0xFF) })
    let second = Data((0..<70).map { UInt8(255 - $0) })

    @Test func everyBlockWithTheLabelIsReadInOrderWhateverSurroundsIt() {
        let text = "Zoë's bundle ✓\r\n" + PEM.encode(first, label: "CERTIFICATE").replacingOccurrences(of: "\n", with: "\r\n")
            + "between 🙂\n" + PEM.encode(Data([9, 8, 7]), label: "EC PRIVATE KEY") + "  " + PEM.encode(second, label: "CERTIFICATE") + "trailer"
        #expect(PEM.decode(text, label: "CERTIFICATE") == [first, second])
        #expect(PEM.decode(text, label: "EC PRIVATE KEY") == [Data([9, 8, 7])])
        #expect(PEM.decode(text, label: "PRIVATE KEY") == [])
        #expect(PEM.decode("", label: "CERTIFICATE") == [])
    }

    @Test func aLabelDoesNotMatchALongerOne() {
        let text = PEM.encode(first, label: "ENCRYPTED PRIVATE KEY") + PEM.encode(second, label: "RSA PRIVATE KEY")
        #expect(PEM.decode(text, label: "PRIVATE KEY") == [])
        #expect(PEM.decode(text, label: "RSA PRIVATE KEY") == [second])
    }

    @Test func aBlockCutOffOrNotBase64IsRefused() {
        let whole = PEM.encode(first, label: "CERTIFICATE")
        #expect(PEM.decode(String(whole.dropLast(10)), label: "CERTIFICATE") == nil)
        #expect(PEM.decode("-----BEGIN CERTIFICATE-----\n!!!!\n-----END CERTIFICATE-----\n", label: "CERTIFICATE") == nil)
        #expect(PEM.decode("-----BEGIN CERTIFICATE-----\nAB=C\n-----END CERTIFICATE-----\n", label: "CERTIFICATE") == nil)
        #expect(PEM.decode("-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----\n", label: "CERTIFICATE") == nil)
        #expect(PEM.decode("-----BEGIN CERTIFICATE-----", label: "CERTIFICATE") == nil)
    }
}
