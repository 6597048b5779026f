@testable import kubectl_certs
import CertCore
import Foundation
import TestSupport
import Testing

/// Numbers out of range, given on the command line, in the environment or in a cert-manager
/// object, end the run with exit 2 and a message saying what is wrong — never a crash.
@Suite(.lab) struct OutOfRangeInputTests {
    let binary = Subprocess.buildDirectory.appendingPathComponent("kubectl-certs").path

    @Test func aHugePropagationTimeoutIsAUsageError() throws {
        let result = try Subprocess.run(binary, ["issue", "-d", "huge.example.test", "--secret", "huge-tls", "--dns", "rfc2136", "--propagation-timeout", "1e16"])
        #expect(result.status == 2, "\(result.stderr)")
        #expect(result.stderr.contains("--propagation-timeout 1e16"))
    }

    @Test func aHugeWithinIsAUsageError() throws {
        let result = try Subprocess.run(binary, ["status", "--within", "99999999999999999h"])
        #expect(result.status == 2, "\(result.stderr)")
        #expect(result.stderr.contains("--within 99999999999999999h"))
        #expect(result.stderr.contains("100 years"))
    }

    @Test func aHugeRequestTimeoutIsAUsageError() throws {
        let result = try Subprocess.run(binary, ["version", "--request-timeout", "1e300"])
        #expect(result.status == 2, "\(result.stderr)")
        #expect(result.stderr.contains("--request-timeout 1e300"))
    }

    @Test func aHugeRFC2136TimeoutIsAUsageError_AgainstLab() throws {
        let lab = try IssueLab()
        var environment = lab.environment
        environment["RFC2136_DNS_TIMEOUT"] = "1e300"
        let result = try Subprocess.run(binary, ["dns", "check", "-d", "timeout-\(IssueLab.label()).\(lab.zone)", "--dns", "rfc2136", "--dns-resolver", lab.resolver],
                                        environment: environment)
        #expect(result.status == 2, "\(result.stderr)")
        #expect(result.stderr.contains("RFC2136_DNS_TIMEOUT=1e300"))
    }

    @Test func aCertificatesHugeKeySizeIsAUsageError_AgainstLab() async throws {
        let lab = try IssueLab()
        let namespace = try await lab.namespace()
        var certificate = CertManagerCertificate(name: "huge-key", namespace: namespace)
        certificate.object[["spec"]] = [
            "secretName": "huge-key-tls",
            "dnsNames": .array([.string("hk-\(IssueLab.label()).\(lab.zone)")]),
            "issuerRef": ["name": "nobody", "kind": "ClusterIssuer"],
            "privateKey": ["algorithm": "RSA", "size": .number(Double(Int.max))],
        ]
        _ = try await lab.client.create(certificate.object)
        let result = try await Subprocess.run(binary, ["issue", "certificate/huge-key", "-n", namespace, "--dns", "rfc2136"] + lab.acmeFlags, environment: lab.environment)
        #expect(result.status == 2, "\(result.stderr)")
        #expect(result.stderr.contains("privateKey.size"))
        #expect(try await lab.client.getIfPresent(.secrets, name: "huge-key-tls", namespace: namespace) == nil)
    }

    @Test(arguments: [Double.infinity, -.infinity, .nan, 1e300, -1e300])
    func agesOfAnyIntervalAreText(interval: Double) {
        #expect(!StatusEvaluation.age(interval).isEmpty)
    }
}
