import CertCore
import Foundation
import TestSupport
import Testing

/// A continue token that expires in the middle of `kubectl certs status`'s list of Secrets
/// (410 Gone): status starts the list again and prints every certificate once — the same
/// rows as without the fault.
@Suite(.lab) struct ContinueExpiryTests {
    /// More than two pages of status's 500-Secret pages.
    static let secretCount = 1100

    /// The seeded Secrets' names, as often as the output names them.
    static func secretNames(in output: String) -> [String] {
        output.matches(of: /"(page-\d{4}-tls)"/).map { String($0.output.1) }
    }

    @Test func anExpiredContinueTokenRestartsTheListWithoutDuplicatesOrOmissions_AgainstLab() async throws {
        let lab = try IssueLab()
        let namespace = try await lab.namespace()
        let faults = try KubeFaults()
        let pki = try TestPKI(name: "Paging Root")
        let certificates = try (0..<3).map { index in
            try pki.certificate("page-\(index)", commonName: "page\(index).example.test", dnsNames: ["page\(index).example.test"],
                                notBefore: Date().addingTimeInterval(-86400), notAfter: Date().addingTimeInterval(Double(30 + index * 20) * 86400))
        }
        let secrets: [[String: Any]] = (0..<Self.secretCount).map { index in
            let certificate = certificates[index % certificates.count]
            return ["apiVersion": "v1", "kind": "Secret", "type": "kubernetes.io/tls",
                    "metadata": ["name": String(format: "page-%04d-tls", index), "namespace": namespace],
                    "data": ["tls.crt": certificate.certificatePEM.base64EncodedString(), "tls.key": certificate.keyPEM.base64EncodedString()]]
        }
        try await faults.seed(secrets)

        // The test's own keys on disk are readable by their owner only.
        var scan = try LeakScan()
        try scan.addFiles(under: pki.directory)
        #expect(scan.hits.isEmpty, "\(scan.hits)")
        let arguments = ["certs", "status", "-n", namespace, "-o", "json"]
        let clean = try await Subprocess.run("kubectl", arguments, environment: lab.environment)
        #expect(clean.status == 0, "\(clean.stderr)")
        #expect(clean.stdout.components(separatedBy: "\"page-").count - 1 == Self.secretCount, "the fault-free list is incomplete")

        for _ in 0..<Figures.runs {
            let started = ContinuousClock.now
            let expiredBefore = try await faults.requests(mentioning: "/namespaces/\(namespace)/secrets").filter { $0.status == 410 }.count
            // The first page comes at once, the second is held — 15 s, under the client's 30 s
            // request timeout and long enough for a loaded machine to notice the first page and
            // expire the tokens meanwhile.
            let path = KubeFaults.path(namespace: namespace)
            try await faults.add([["method": "GET", "path": path, "delayMs": 1], ["method": "GET", "path": path, "delayMs": 15000]])
            // -vv logs each API request as it is answered.
            let running = try RunningCommand(["kubectl"] + arguments + ["-vv"], environment: lab.environment)
            // The first page's answer (protobuf, from this server) is logged once its continue token exists.
            let firstPage = try await running.waitForLine { $0.contains("/namespaces/\(namespace)/secrets?") && $0.contains(" 200 (protobuf) in ") }
            #expect(firstPage, "\(running.stderr)")
            try await faults.add([["expireContinue": true]])
            let status = await running.wait()
            #expect(status == 0, "\(running.stderr)")
            let expired = try await faults.requests(mentioning: "/namespaces/\(namespace)/secrets").filter { $0.status == 410 }.count - expiredBefore
            #expect(expired >= 1, "no continue token expired")
            let shown = Self.secretNames(in: running.stdout)
            let duplicates = shown.count - Set(shown).count
            let omissions = Set(Self.secretNames(in: clean.stdout)).subtracting(shown).count
            #expect(duplicates == 0 && omissions == 0, "\(duplicates) duplicates, \(omissions) omissions")
            #expect(running.stdout == clean.stdout, "the rows differ from the fault-free ones")
            Figures.record("continue-expired", ok: running.stdout == clean.stdout && expired >= 1,
                           detail: "duplicates=\(duplicates) omissions=\(omissions)", since: started)
        }
        // The Secrets would slow every later `status -A` on the shared lab.
        try await lab.client.delete(.namespaces, name: namespace)
    }
}
