public import Foundation
internal import COpenSSL

/// A PKCS#10 request for the names of one certificate, signed by its key (SHA-256).
public struct CertificateSigningRequest: Sendable {
    public let der: Data

    /// Subject CN `commonName` when given; a SAN for every name in `dnsNames`, internationalized
    /// names in their A-label form, wildcards kept.
    public init(commonName: String?, dnsNames: [String], privateKey: PrivateKey) throws(CryptoError) {
        guard !dnsNames.isEmpty else { throw CryptoError("a certificate request needs at least one DNS name") }
        guard let request = X509_REQ_new() else { throw CryptoError.openSSL("out of memory") }
        defer { X509_REQ_free(request) }
        guard X509_REQ_set_version(request, 0) == 1 else { throw CryptoError.openSSL("cannot build the request") }
        if let commonName {
            let ascii = Punycode.asciiDomain(commonName)
            guard ascii.utf8.count <= 64 else {
                throw CryptoError("the common name \(commonName) is longer than 64 characters; leave it out and rely on the DNS names")
            }
            let name = X509_REQ_get_subject_name(request)
            guard X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8, ascii, -1, -1, 0) == 1 else {
                throw CryptoError.openSSL("cannot set the common name")
            }
        }
        let names = dnsNames.map { "DNS:" + Punycode.asciiDomain($0) }.joined(separator: ",")
        guard let extensionPointer = X509V3_EXT_conf_nid(nil, nil, NID_subject_alt_name, names) else {
            throw CryptoError.openSSL("cannot encode the DNS names \(dnsNames)")
        }
        defer { X509_EXTENSION_free(extensionPointer) }
        guard COpenSSL_X509_REQ_add_extension(request, extensionPointer) == 1,
              X509_REQ_set_pubkey(request, privateKey.pointer) == 1,
              X509_REQ_sign(request, privateKey.pointer, EVP_sha256()) > 0 else {
            throw CryptoError.openSSL("cannot sign the certificate request")
        }
        var bytes: UnsafeMutablePointer<UInt8>?
        let length = i2d_X509_REQ(request, &bytes)
        guard length > 0, let bytes else { throw CryptoError.openSSL("cannot encode the certificate request") }
        defer { COpenSSL_free(bytes) }
        der = Data(bytes: bytes, count: Int(length))
    }

    public var pem: String {
        PEM.encode(der, label: "CERTIFICATE REQUEST")
    }
}
