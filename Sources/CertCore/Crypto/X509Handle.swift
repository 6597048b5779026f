import Foundation
internal import COpenSSL

/// An OpenSSL X509 parsed from DER, freed when dropped.
final class X509Handle {
    let pointer: OpaquePointer

    init(der: Data) throws(CryptoError) {
        let parsed: OpaquePointer? = der.withUnsafeBytes { bytes in
            var cursor = bytes.baseAddress?.assumingMemoryBound(to: UInt8.self)
            return d2i_X509(nil, &cursor, bytes.count)
        }
        guard let parsed else { throw CryptoError.openSSL("the certificate's DER does not parse") }
        pointer = parsed
    }

    deinit {
        X509_free(pointer)
    }

    static func name(_ name: OpaquePointer?) -> String {
        guard let name, let bio = try? MemoryBIO() else { return "" }
        _ = X509_NAME_print_ex(bio.pointer, name, 0, COpenSSL_XN_FLAG_RFC2253())
        return bio.string
    }

    static func commonName(_ name: OpaquePointer?) -> String? {
        guard let name else { return nil }
        let index = X509_NAME_get_index_by_NID(name, NID_commonName, -1)
        guard index >= 0, let entry = X509_NAME_get_entry(name, index) else { return nil }
        return string(UnsafePointer(X509_NAME_ENTRY_get_data(entry)))
    }

    static func string(_ value: UnsafePointer<ASN1_STRING>?) -> String? {
        guard let value else { return nil }
        var output: UnsafeMutablePointer<UInt8>?
        let length = ASN1_STRING_to_UTF8(&output, value)
        guard length >= 0, let output else { return nil }
        defer { COpenSSL_free(output) }
        return String(decoding: UnsafeBufferPointer(start: output, count: Int(length)), as: UTF8.self)
    }

    static func bytes(_ value: UnsafePointer<ASN1_STRING>?) -> Data? {
        guard let value, let start = ASN1_STRING_get0_data(value) else { return nil }
        return Data(bytes: start, count: Int(ASN1_STRING_length(value)))
    }

    static func date(_ time: UnsafePointer<ASN1_TIME>?) -> Date {
        var parts = tm()
        guard let time, ASN1_TIME_to_tm(time, &parts) == 1 else { return .distantPast }
        return Date(timeIntervalSince1970: TimeInterval(timegm(&parts)))
    }
}
