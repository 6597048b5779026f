import ArgumentParser
import CertCore
import Foundation

/// The ACME flags of `issue` and `renew`.
struct ACMEOptions: ParsableArguments {
    @Option(help: ArgumentHelp("letsencrypt (default), letsencrypt-staging, zerossl, google, buypass, or a directory URL.", valueName: "SERVER"))
    var server: String?

    @Option(name: .customLong("acme-ca-bundle"), help: ArgumentHelp("Extra CA certificates (PEM) to trust for the ACME server's HTTPS.", valueName: "FILE"))
    var caBundle: String?

    @Option(help: "Contact address for a new ACME account.")
    var email: String?

    @Option(name: .customLong("eab-kid"), help: "External account binding key ID.")
    var eabKeyID: String?

    @Option(name: .customLong("eab-hmac-file"), help: ArgumentHelp("File holding the external account binding HMAC key (base64url).", valueName: "FILE"))
    var eabHMACFile: String?

    @Option(name: .customLong("key-type"), help: "Certificate key: ec256 (default), ec384, rsa2048, rsa3072, rsa4096.")
    var keyType: String?

    @Option(name: .customLong("preferred-chain"), help: ArgumentHelp("Prefer the chain whose top issuer has this common name.", valueName: "NAME"))
    var preferredChain: String?

    @Option(help: ArgumentHelp("Take ACME and DNS settings from this cert-manager Issuer.", valueName: "NAME"))
    var issuer: String?

    @Option(name: .customLong("cluster-issuer"), help: ArgumentHelp("Take ACME and DNS settings from this cert-manager ClusterIssuer.", valueName: "NAME"))
    var clusterIssuer: String?

    func validateOptions() throws {
        if let server { _ = try ACMEServer(server) }
        if let keyType, KeyType(rawValue: keyType) == nil {
            throw ValidationError("--key-type \(keyType): expected one of \(KeyType.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        if (eabKeyID == nil) != (eabHMACFile == nil) {
            throw ValidationError("--eab-kid and --eab-hmac-file go together")
        }
        if issuer != nil && clusterIssuer != nil {
            throw ValidationError("give --issuer or --cluster-issuer, not both")
        }
        if let caBundle, !FileManager.default.isReadableFile(atPath: caBundle) {
            throw ValidationError("--acme-ca-bundle \(caBundle): cannot read the file")
        }
    }

    var issuerReference: IssuerReference? {
        if let issuer { return IssuerReference(name: issuer) }
        if let clusterIssuer { return IssuerReference(name: clusterIssuer, kind: "ClusterIssuer") }
        return nil
    }

    func acmeServer() throws -> ACMEServer? {
        try server.map { try ACMEServer($0) }
    }

    func externalAccount() throws -> ExternalAccountBinding? {
        guard let eabKeyID, let eabHMACFile else { return nil }
        guard let text = try? String(contentsOfFile: eabHMACFile, encoding: .utf8) else {
            throw CommandFailure(message: "cannot read --eab-hmac-file \(eabHMACFile)", exitStatus: .usage)
        }
        return try ExternalAccountBinding(keyID: eabKeyID, encodedHMACKey: text)
    }

    func httpClient() throws -> HTTPClient {
        var configuration = HTTPClientConfiguration()
        if let caBundle {
            guard let pem = FileManager.default.contents(atPath: caBundle) else {
                throw CommandFailure(message: "cannot read --acme-ca-bundle \(caBundle)", exitStatus: .usage)
            }
            configuration.trust = .systemAnd(pem: pem)
        }
        return try HTTPClient(configuration: configuration)
    }
}
