import Foundation
internal import COpenSSL

/// An OpenSSL memory BIO, for reading PEM from Swift data and writing PEM to Swift strings.
final class MemoryBIO {
    let pointer: OpaquePointer

    /// A BIO to write into.
    init() throws(CryptoError) {
        guard let bio = BIO_new(BIO_s_mem()) else { throw CryptoError.openSSL("out of memory") }
        pointer = bio
    }

    /// A BIO that reads `data` (copied).
    convenience init(_ data: Data) throws(CryptoError) {
        try self.init()
        _ = data.withUnsafeBytes { BIO_write(pointer, $0.baseAddress, Int32($0.count)) }
    }

    deinit {
        BIO_free(pointer)
    }

    /// Everything written so far.
    var contents: Data {
        var start: UnsafeMutablePointer<CChar>?
        let length = COpenSSL_BIO_get_mem_data(pointer, &start)
        guard let start, length > 0 else { return Data() }
        return Data(bytes: start, count: length)
    }

    var string: String { String(decoding: contents, as: UTF8.self) }
}
