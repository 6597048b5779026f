public import Foundation

/// Certificates for tests, made with the `openssl` command in a fresh temporary directory:
/// a CA, server certificates for chosen names, client certificates.
public final class TestPKI: Sendable {
    public let directory: URL

    public struct Issued: Sendable {
        public var certificatePath: String
        public var keyPath: String
        public var certificatePEM: Data { FileManager.default.contents(atPath: certificatePath) ?? Data() }
        public var keyPEM: Data { FileManager.default.contents(atPath: keyPath) ?? Data() }
    }

    public let ca: Issued

    public init(name: String = "Test CA") throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("kubectl-certs-pki-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let ca = Issued(certificatePath: directory.appendingPathComponent("ca.pem").path, keyPath: directory.appendingPathComponent("ca-key.pem").path)
        try Self.openssl(["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                          "-keyout", ca.keyPath, "-out", ca.certificatePath, "-days", "2", "-subj", "/CN=\(name)",
                          "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign"])
        self.ca = ca
    }

    deinit {
        try? FileManager.default.removeItem(at: directory)
    }

    /// A certificate for a TLS server, valid for `dnsNames` and `ipAddresses`.
    /// `serial` (hex) is random when not given.
    public func server(_ label: String, dnsNames: [String], ipAddresses: [String] = [], serial: String? = nil) throws -> Issued {
        let names = dnsNames.map { "DNS:\($0)" } + ipAddresses.map { "IP:\($0)" }
        return try issue(label, subject: "/CN=\(dnsNames.first ?? label)",
                         extensions: ["subjectAltName=\(names.joined(separator: ","))", "extendedKeyUsage=serverAuth"],
                         serial: serial)
    }

    /// A certificate for a TLS client whose subject is `CN=commonName[,O=organization]`.
    public func client(_ label: String, commonName: String, organization: String? = nil) throws -> Issued {
        let subject = "/CN=\(commonName)" + (organization.map { "/O=\($0)" } ?? "")
        return try issue(label, subject: subject, extensions: ["extendedKeyUsage=clientAuth"])
    }

    private func issue(_ label: String, subject: String, extensions: [String], serial: String? = nil) throws -> Issued {
        let issued = Issued(certificatePath: directory.appendingPathComponent("\(label).pem").path,
                            keyPath: directory.appendingPathComponent("\(label)-key.pem").path)
        let csr = directory.appendingPathComponent("\(label).csr").path
        let ext = directory.appendingPathComponent("\(label).ext")
        let identifiers = ["subjectKeyIdentifier=hash", "authorityKeyIdentifier=keyid"]
        try ((extensions + identifiers).joined(separator: "\n") + "\n").write(to: ext, atomically: true, encoding: .utf8)
        try Self.openssl(["req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                          "-keyout", issued.keyPath, "-out", csr, "-subj", subject])
        let serialArguments = serial.map { ["-set_serial", "0x" + $0] } ?? ["-CAcreateserial"]
        try Self.openssl(["x509", "-req", "-in", csr, "-CA", ca.certificatePath, "-CAkey", ca.keyPath]
                         + serialArguments + ["-days", "2", "-out", issued.certificatePath, "-extfile", ext.path])
        return issued
    }

    public struct OpenSSLFailed: Error, CustomStringConvertible {
        public var description: String
    }

    static func openssl(_ arguments: [String]) throws {
        let result = try Subprocess.run("openssl", arguments)
        guard result.status == 0 else {
            throw OpenSSLFailed(description: "openssl \(arguments.first ?? "") failed: \(result.stderr)")
        }
    }
}

extension TestPKI {
    /// A certificate with chosen validity, signed by `signer` (the PKI's CA by default) through
    /// `openssl ca`, which — unlike `x509 -req` in OpenSSL 3.0 — takes start and end dates.
    /// With `isCA` it is an intermediate that can sign in turn.
    public func certificate(
        _ label: String,
        commonName: String,
        dnsNames: [String] = [],
        notBefore: Date,
        notAfter: Date,
        signer: Issued? = nil,
        isCA: Bool = false
    ) throws -> Issued {
        let signer = signer ?? ca
        let caDir = directory.appendingPathComponent("ca-db-\(label)")
        try FileManager.default.createDirectory(at: caDir.appendingPathComponent("new"), withIntermediateDirectories: true)
        try "".write(to: caDir.appendingPathComponent("index.txt"), atomically: true, encoding: .utf8)
        try String(format: "%016llX\n", UInt64.random(in: 1 ... UInt64.max >> 2)).write(to: caDir.appendingPathComponent("serial"), atomically: true, encoding: .utf8)
        let config = caDir.appendingPathComponent("ca.cnf")
        try """
        [ ca ]
        default_ca = test_ca
        [ test_ca ]
        database = \(caDir.path)/index.txt
        new_certs_dir = \(caDir.path)/new
        serial = \(caDir.path)/serial
        default_md = sha256
        policy = any_name
        unique_subject = no
        [ any_name ]
        commonName = supplied

        """.write(to: config, atomically: true, encoding: .utf8)
        var extensions = ["subjectKeyIdentifier=hash", "authorityKeyIdentifier=keyid"]
        if isCA {
            extensions += ["basicConstraints=critical,CA:TRUE", "keyUsage=critical,keyCertSign,cRLSign"]
        } else {
            extensions += ["basicConstraints=CA:FALSE", "extendedKeyUsage=serverAuth"]
            if !dnsNames.isEmpty { extensions.append("subjectAltName=" + dnsNames.map { "DNS:\($0)" }.joined(separator: ",")) }
        }
        let ext = caDir.appendingPathComponent("ext.cnf")
        try (extensions.joined(separator: "\n") + "\n").write(to: ext, atomically: true, encoding: .utf8)
        let issued = Issued(certificatePath: directory.appendingPathComponent("\(label).pem").path,
                            keyPath: directory.appendingPathComponent("\(label)-key.pem").path)
        let csr = caDir.appendingPathComponent("req.csr").path
        try Self.openssl(["req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                          "-keyout", issued.keyPath, "-out", csr, "-subj", "/CN=\(commonName)"])
        try Self.openssl(["ca", "-batch", "-notext", "-config", config.path, "-cert", signer.certificatePath, "-keyfile", signer.keyPath,
                          "-in", csr, "-out", issued.certificatePath, "-extfile", ext.path,
                          "-startdate", Self.caDate(notBefore), "-enddate", Self.caDate(notAfter)])
        return issued
    }

    /// `openssl ca`'s date format, YYYYMMDDHHMMSSZ in UTC.
    static func caDate(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyyMMddHHmmss'Z'"
        return formatter.string(from: date)
    }
}
