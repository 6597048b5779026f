import CertCore
import Foundation
import TestSupport
import Testing

/// Key authorizations are not secret in ACME, but the account key and the lab's credentials
/// stay out of everything an `issue --http01 -vvv` prints.
@Suite(.lab) struct HTTP01SecretsTests {
    @Test func aTracedHTTP01RunShowsNoKeyOrCredential_AgainstLab() async throws {
        let setup = try await HTTP01Lab()
        let name = setup.host("s")
        let result = try await setup.issue(["-vvv", "-d", name, "--http01", "--secret", "traced-tls"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.contains("configmaps"), "the solver's API calls are not logged at -vvv")
        var scan = try LeakScan()
        let account = try await setup.lab.secret("kubectl-certs-account-127-0-0-1", setup.namespace)
        let accountKey = String(decoding: account.data["tls.key"] ?? Data(), as: UTF8.self)
        // The key's body, line by line: any line of it in the output is a leak.
        for line in accountKey.split(separator: "\n") where !line.hasPrefix("-----") { scan.forbid("the ACME account key", String(line)) }
        let certificateKey = String(decoding: try await setup.lab.secret("traced-tls", setup.namespace).data["tls.key"] ?? Data(), as: UTF8.self)
        for line in certificateKey.split(separator: "\n") where !line.hasPrefix("-----") { scan.forbid("the certificate key", String(line)) }
        scan.add("issue --http01 -vvv", result)
        #expect(scan.hits.isEmpty, "\(scan.hits)")
        #expect(try await setup.solverObjects() == [])
    }
}
