extension String {
    /// The text of a C buffer up to its terminating zero (OpenSSL and libc fill such buffers).
    init(nulTerminated buffer: [CChar]) {
        self.init(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
