internal import COpenSSL

/// Facts about the OpenSSL library this program runs with.
public enum OpenSSLLibrary {
    /// The version of the linked library, as it reports it (e.g. "OpenSSL 3.0.15 3 Sep 2024").
    public static var version: String {
        String(cString: OpenSSL_version(numericCast(OPENSSL_VERSION)))
    }
}
