public import Foundation
internal import COpenSSL

/// Verifies certificate chains with OpenSSL's path building.
public enum ChainVerifier {
    /// Verifies the leaf (`chain[0]`) through the rest of `chain` up to one of `roots`, at
    /// `time` (now by default). The error names the certificate at fault and OpenSSL's reason.
    public static func verify(chain: [Certificate], roots: [Certificate], at time: Date? = nil) throws(CryptoError) {
        guard let leaf = chain.first else { throw CryptoError("there is no certificate to verify") }
        guard let store = X509_STORE_new() else { throw CryptoError.openSSL("out of memory") }
        defer { X509_STORE_free(store) }
        // The handles must outlive verification: the store and stack only borrow them.
        let rootHandles = try roots.map { root throws(CryptoError) in try X509Handle(der: root.der) }
        for handle in rootHandles { _ = X509_STORE_add_cert(store, handle.pointer) }
        let leafHandle = try X509Handle(der: leaf.der)
        let intermediateHandles = try chain.dropFirst().map { certificate throws(CryptoError) in try X509Handle(der: certificate.der) }
        guard let untrusted = COpenSSL_X509_stack_new() else { throw CryptoError.openSSL("out of memory") }
        defer { COpenSSL_X509_stack_free(untrusted) }
        for handle in intermediateHandles { _ = COpenSSL_X509_stack_push(untrusted, handle.pointer) }
        guard let context = X509_STORE_CTX_new() else { throw CryptoError.openSSL("out of memory") }
        defer { X509_STORE_CTX_free(context) }
        guard X509_STORE_CTX_init(context, store, leafHandle.pointer, untrusted) == 1 else {
            throw CryptoError.openSSL("cannot set up chain verification")
        }
        if let time { X509_STORE_CTX_set_time(context, 0, time_t(time.timeIntervalSince1970)) }
        let result = X509_verify_cert(context)
        let code = X509_STORE_CTX_get_error(context)
        withExtendedLifetime((rootHandles, intermediateHandles, leafHandle)) {}
        guard result == 1 else {
            let reason = String(cString: X509_verify_cert_error_string(Int(code)))
            let failing = X509_STORE_CTX_get_current_cert(context).map { X509Handle.name(X509_get_subject_name($0)) } ?? leaf.subject
            CryptoError.clearOpenSSLErrors()
            throw CryptoError("the chain does not verify at \(failing): \(reason)")
        }
    }
}
