@testable import CertCore
import Foundation
import TestSupport
import Testing

/// Seeded random inputs for the parsers that read what others wrote: kubeconfigs, ACME JSON,
/// PEM / X.509 / private keys, durations and numbers. Each parser gets a fixed number of
/// distinct inputs, made by mutating valid samples; it must answer each with a value or an
/// error — never a crash (which would end the whole test process) or a hang (the time limit).
@Suite(.timeLimit(.minutes(2))) struct RandomInputTests {
    /// Makes `count` distinct inputs from `samples` with a fixed seed.
    struct Mutator {
        var random: SeededGenerator
        var seen = Set<[UInt8]>()
        /// Bytes that mean something to the parsers: structure, numbers, escapes.
        static let tokens: [[UInt8]] = ["{", "}", "[", "]", ":", ",", "\"", "\\u0000", "\\ud800", "-", "1e400", "9223372036854775808",
                                        "-0", "null", "true", "\n", "\n- ", ": &a", "*a", "!!binary ", "---", "\t", "0x", "...", "é", "😀",
                                        "-----BEGIN CERTIFICATE-----", "-----END CERTIFICATE-----", "=", "ms", "h", "d", "."].map { Array($0.utf8) }

        init(seed: UInt64) {
            random = SeededGenerator(seed: seed)
        }

        mutating func inputs(_ count: Int, from samples: [[UInt8]]) -> [[UInt8]] {
            var result: [[UInt8]] = []
            var attempts = 0
            while result.count < count && attempts < count * 20 {
                attempts += 1
                var input = samples[Int.random(in: 0..<samples.count, using: &random)]
                for _ in 0..<Int.random(in: 1...4, using: &random) { mutate(&input) }
                if seen.insert(input).inserted { result.append(input) }
            }
            return result
        }

        private mutating func mutate(_ input: inout [UInt8]) {
            let position = input.isEmpty ? 0 : Int.random(in: 0...input.count, using: &random)
            switch Int.random(in: 0..<6, using: &random) {
            case 0 where !input.isEmpty:
                input[min(position, input.count - 1)] ^= UInt8(1 << Int.random(in: 0..<8, using: &random))
            case 1:
                input.insert(UInt8.random(in: 0...255, using: &random), at: position)
            case 2 where !input.isEmpty:
                let end = min(input.count, position + Int.random(in: 1...16, using: &random))
                input.removeSubrange(min(position, input.count - 1)..<end)
            case 3:
                input.insert(contentsOf: Self.tokens[Int.random(in: 0..<Self.tokens.count, using: &random)], at: position)
            case 4 where !input.isEmpty:
                let start = min(position, input.count - 1)
                let slice = input[start..<min(input.count, start + Int.random(in: 1...32, using: &random))]
                input.insert(contentsOf: slice, at: Int.random(in: 0...input.count, using: &random))
            default:
                input = Array(input.prefix(position))
            }
        }
    }

    static func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }

    @Test func kubeconfigs() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("random-kubeconfig-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let samples = [KubeConfigLoaderTests.first, KubeConfigLoaderTests.second, """
        clusters:
        - name: c
          cluster: {server: "https://127.0.0.1:6443", certificate-authority-data: "LS0tLS1CRUdJTg=="}
        users:
        - name: u
          user:
            exec: {apiVersion: client.authentication.k8s.io/v1, command: /bin/false, args: ["-x"], env: [{name: A, value: b}]}
        contexts:
        - name: x
          context: {cluster: c, user: u, namespace: n}
        current-context: x
        """].map(Self.bytes)
        var mutator = Mutator(seed: 0xC0FF_EE01)
        let inputs = mutator.inputs(400, from: samples)
        #expect(inputs.count == 400)
        let path = directory.appendingPathComponent("config").path
        let environment = KubeConfigLoader.Environment(variables: [:], homeDirectory: directory, serviceAccountDirectory: directory.appendingPathComponent("no-sa"))
        var loaded = 0
        for input in inputs {
            try Data(input).write(to: URL(fileURLWithPath: path))
            if (try? KubeConfigLoader.connection(KubeConfigOptions(kubeconfig: path), environment: environment)) != nil { loaded += 1 }
        }
        // Some mutations leave a usable file; most do not.
        #expect(loaded < inputs.count)
    }

    @Test func acmeJSON() throws {
        let samples = [
            #"{"newNonce":"https://ca.test/nonce","newAccount":"https://ca.test/acct","newOrder":"https://ca.test/order","revokeCert":"https://ca.test/revoke","keyChange":"https://ca.test/key","meta":{"termsOfService":"https://ca.test/tos","externalAccountRequired":true,"caaIdentities":["ca.test"],"profiles":{"classic":"x"}},"renewalInfo":"https://ca.test/ari"}"#,
            #"{"type":"http-01","url":"https://ca.test/chall/1","status":"pending","token":"abc_DEF-123","validated":"2025-01-02T03:04:05Z","error":{"type":"urn:ietf:params:acme:error:dns","detail":"x"}}"#,
            #"{"type":"urn:ietf:params:acme:error:rejectedIdentifier","detail":"some names refused","status":400,"subproblems":[{"type":"urn:ietf:params:acme:error:caa","detail":"CAA forbids","identifier":{"type":"dns","value":"a.example.test"}}]}"#,
            #"{"type":"dns","value":"*.example.test"}"#,
        ].map(Self.bytes)
        var mutator = Mutator(seed: 0xAC3E_0002)
        let inputs = mutator.inputs(3000, from: samples)
        #expect(inputs.count == 3000)
        let decoder = JSONDecoder()
        var decoded = 0
        for input in inputs {
            let data = Data(input)
            if (try? decoder.decode(ACMEDirectory.self, from: data)) != nil { decoded += 1 }
            if (try? decoder.decode(ACMEChallenge.self, from: data)) != nil { decoded += 1 }
            if let problem = try? decoder.decode(ACMEError.Problem.self, from: data) {
                decoded += 1
                _ = ACMEError(kind: .problem, message: "refused", problem: problem, status: 400).description
            }
            if (try? decoder.decode(ACMEIdentifier.self, from: data)) != nil { decoded += 1 }
            if let value = try? JSONValue.decode(data) {
                _ = value.encoded()
                _ = value["status"]?.intValue
            }
        }
        #expect(decoded < inputs.count * 4)
    }

    @Test func pemCertificatesAndKeys() throws {
        let pki = try TestPKI(name: "Random Input CA")
        let issued = try pki.server("random", dnsNames: ["random.example.test"], ipAddresses: ["127.0.0.1"])
        let certificatePEM = String(decoding: issued.certificatePEM, as: UTF8.self)
        let keyPEM = String(decoding: issued.keyPEM, as: UTF8.self)
        let rsa = try PrivateKey.generate(.rsa2048).pem(encoding: .pkcs8)
        let der = try Certificate.parseChain(pem: certificatePEM)[0].der
        let samples = [certificatePEM, keyPEM, rsa, certificatePEM + String(decoding: pki.ca.certificatePEM, as: UTF8.self)].map(Self.bytes)
        var mutator = Mutator(seed: 0x9E3_0003)
        let inputs = mutator.inputs(1500, from: samples)
        #expect(inputs.count == 1500)
        for input in inputs {
            let text = String(decoding: input, as: UTF8.self)
            if let chain = try? Certificate.parseChain(pem: text) {
                for certificate in chain { _ = certificate.matches(keyPEM: keyPEM) }
            }
            _ = try? PrivateKey(pem: text)
            _ = try? PrivateKey.publicKeyInfo(pem: text)
        }
        // Mutated DER, parsed directly.
        var derMutator = Mutator(seed: 0xDE7_0004)
        let ders = derMutator.inputs(1500, from: [Array(der)])
        #expect(ders.count == 1500)
        var parsed = 0
        for input in ders {
            if let certificate = try? Certificate(der: Data(input)) {
                parsed += 1
                _ = (certificate.dnsNames, certificate.subject, certificate.notAfter, certificate.publicKeyDescription)
            }
        }
        #expect(parsed < ders.count)
    }

    @Test func durationsAndNumbers() {
        let samples = ["30s", "1h30m", "500ms", "90", "2d", "1.5s", "876000h", "0", "1e3", "12m3s"].map(Self.bytes)
        var mutator = Mutator(seed: 0xD0_0005)
        let inputs = mutator.inputs(3000, from: samples)
        #expect(inputs.count == 3000)
        for input in inputs {
            let text = String(decoding: input, as: UTF8.self)
            if let duration = try? Duration(parsing: text) {
                #expect(duration >= .zero && duration <= Duration.longestSetting, "\(text) parsed as \(duration)")
                _ = (duration.milliseconds, duration.shortText)
            }
            _ = RetryAfter.date(text)
            _ = RFC3339.parse(text)
            _ = Punycode.asciiDomain(text)
            if let number = Double(text) { _ = JSONValue.number(number).intValue }
        }
    }
}
