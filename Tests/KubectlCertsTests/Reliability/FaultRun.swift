import CertCore
import Foundation
import TestSupport
import Testing

/// One certificate issued under faults: its namespace, name and Secret, the command that issues
/// it (at -vvv, with a home directory of its own), and the checks every scenario ends with.
struct FaultRun {
    let lab: IssueLab
    let namespace: String
    let domain: String
    let secretName: String
    /// Where the runs' HOME points: every file the plugin writes lands here, for the leak scan.
    var home: URL { homeDirectory.url }
    private let homeDirectory: TemporaryDirectory
    var extraArguments: [String] = []
    /// The ACME directory: the lab's Pebble unless a test brings its own.
    var server: String
    var environmentOverrides: [String: String] = [:]

    init(secretName: String = "fault-tls") async throws {
        lab = try IssueLab()
        namespace = try await lab.namespace()
        domain = "\(IssueLab.label()).\(lab.zone)"
        self.secretName = secretName
        server = lab.pebble
        homeDirectory = try TemporaryDirectory("fault-home")
    }

    var arguments: [String] {
        ["-vvv", "-d", domain, "--secret", secretName, "-n", namespace, "--dns", "rfc2136"] + extraArguments
    }

    var environment: [String: String] {
        lab.environment.merging(["HOME": home.path]) { $1 }.merging(environmentOverrides) { $1 }
    }

    var command: [String] {
        ["kubectl", "certs", "issue"] + arguments
            + ["--server", server, "--acme-ca-bundle", lab.caBundle, "--dns-resolver", lab.resolver, "--propagation-timeout", "60s"]
    }

    /// Runs the command to the end.
    func issue() async throws -> Subprocess.Result {
        try await Subprocess.run("kubectl", Array(command.dropFirst()), environment: environment)
    }

    /// Starts the command without waiting for it; with `killOn`, it is killed (SIGKILL) the
    /// moment its stderr shows that text.
    func start(killOn marker: String? = nil) throws -> RunningCommand {
        try RunningCommand(command, environment: environment, signalOn: marker.map { .init($0, signal: SIGKILL) })
    }

    var pendingName: String { "kubectl-certs-pending-\(secretName)" }

    /// The pending record's JSON, when there is one.
    func pending() async throws -> [String: Any]? {
        guard let object = try await lab.client.getIfPresent(.secrets, name: pendingName, namespace: namespace),
              let data = Secret(object: object).data["pending.json"] else { return nil }
        return try JSONSerialization.jsonObject(with: data) as? [String: Any]
    }

    /// The challenge record names the pending record lists.
    func pendingRecordNames() async throws -> [String] {
        ((try await pending()?["records"] as? [[String: Any]]) ?? []).compactMap { $0["fqdn"] as? String }
    }

    var challengeName: String { "_acme-challenge.\(domain)" }

    /// TXT values the primary serves for this run's challenge name.
    func zoneValues() throws -> [String] {
        try LabDNS.txt(challengeName, at: lab.primary)
    }

    /// The Secret's key and certificate, when it holds both.
    func storedPair() async throws -> (certificate: Certificate, key: PrivateKey)? {
        guard let object = try await lab.client.getIfPresent(.secrets, name: secretName, namespace: namespace) else { return nil }
        let secret = Secret(object: object)
        guard let crt = secret.data["tls.crt"], let pem = secret.data["tls.key"],
              let leaf = try Certificate.parseChain(pem: String(decoding: crt, as: UTF8.self)).first else { return nil }
        return (leaf, try PrivateKey(pem: String(decoding: pem, as: UTF8.self)))
    }

    /// What a scenario left behind: challenge values on the primary, a pending record, a Secret
    /// whose key does not match its certificate (or that holds no certificate).
    struct Leftovers: CustomStringConvertible {
        var txt: Int
        var pending: Int
        var mismatched: Int
        var isEmpty: Bool { txt == 0 && pending == 0 && mismatched == 0 }
        var description: String { "txt=\(txt) pending=\(pending) mismatched=\(mismatched)" }
    }

    func leftovers() async throws -> Leftovers {
        let pair = try await storedPair()
        let matching = pair.map { $0.certificate.matches($0.key) && $0.certificate.dnsNames == [domain] } ?? false
        return Leftovers(txt: try zoneValues().count, pending: try await pending() == nil ? 0 : 1, mismatched: matching ? 0 : 1)
    }

    /// What "nothing lost, nothing leaked" means after a scenario: the Secret holds a
    /// certificate for the domain and its own key, the zone serves no challenge record, no
    /// pending record is left. Prints the scenario's figure line for `scripts/reliability`.
    func expectFinished(_ scenario: String, since started: ContinuousClock.Instant, passed: Bool, sourceLocation: SourceLocation = #_sourceLocation) async throws {
        try? await LabDNS.waitUntilEmpty(challengeName)
        let left = try await leftovers()
        #expect(left.isEmpty, "left behind: \(left)", sourceLocation: sourceLocation)
        Figures.record(scenario, ok: passed && left.isEmpty, detail: left.description, since: started)
    }
}

/// A directory of its own, removed with the last copy of the run that uses it.
final class TemporaryDirectory: Sendable {
    let url: URL

    init(_ prefix: String) throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("\(prefix)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    deinit {
        try? FileManager.default.removeItem(at: url)
    }
}

/// How often each long scenario repeats in one test run: `RELIABILITY_RUNS` (1 by default, so
/// `make test` runs each once; `scripts/reliability` asks for more).
enum Figures {
    static var runs: Int {
        max(1, Int(ProcessInfo.processInfo.environment["RELIABILITY_RUNS"] ?? "") ?? 1)
    }

    /// One line per scenario run on stdout, which `scripts/reliability` collects into its table.
    static func record(_ scenario: String, ok: Bool, detail: String, since started: ContinuousClock.Instant) {
        let seconds = (ContinuousClock.now - started).seconds
        print(String(format: "RELIABILITY scenario=%@ ok=%@ %@ seconds=%.1f", scenario, ok ? "1" : "0", detail, seconds))
    }
}

/// Searches what the runs printed and wrote for secrets: private-key PEM, the lab's TSIG
/// secrets, the reader's bearer token, the PowerDNS API key and the AWS secret key.
struct LeakScan {
    private var secrets: [(label: String, value: String)] = [("private-key PEM", "PRIVATE KEY-----")]
    private var texts: [(origin: String, text: String)] = []

    init() throws {
        let settings = Lab.settings
        for name in ["LAB_TSIG_SECRET", "LAB_TSIG_SHA512_SECRET", "LAB_PDNS_API_KEY", "LAB_AWS_SECRET_ACCESS_KEY"] {
            if let value = settings[name], !value.isEmpty { secrets.append((name, value)) }
        }
        let tokenFile = try Lab.require("LAB_KUBE_READER_TOKEN_FILE", component: "kube")
        let token = try String(contentsOfFile: tokenFile, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        secrets.append(("the reader's bearer token", token))
    }

    /// Another secret to search for.
    mutating func forbid(_ label: String, _ value: String) {
        secrets.append((label, value))
    }

    mutating func add(_ origin: String, _ text: String) {
        texts.append((origin, text))
    }

    mutating func add(_ origin: String, _ result: Subprocess.Result) {
        add("\(origin) stdout", result.stdout)
        add("\(origin) stderr", result.stderr)
    }

    mutating func add(_ origin: String, _ command: RunningCommand) {
        add("\(origin) stdout", command.stdout)
        add("\(origin) stderr", command.stderr)
    }

    /// Every file under `directory`; a file holding a key must be readable by its owner only.
    mutating func addFiles(under directory: URL, sourceLocation: SourceLocation = #_sourceLocation) throws {
        guard let walker = FileManager.default.enumerator(at: directory, includingPropertiesForKeys: [.isRegularFileKey]) else { return }
        for case let file as URL in walker where (try? file.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile) == true {
            let text = String(decoding: try Data(contentsOf: file), as: UTF8.self)
            if text.contains("PRIVATE KEY") {
                let mode = (try FileManager.default.attributesOfItem(atPath: file.path)[.posixPermissions] as? Int) ?? 0
                #expect(mode & 0o077 == 0, "\(file.path) holds a key and has mode \(String(mode, radix: 8))", sourceLocation: sourceLocation)
            } else {
                add(file.path, text)
            }
        }
    }

    /// (where, which secret) for every hit.
    var hits: [String] {
        texts.flatMap { origin, text in secrets.filter { text.contains($0.value) }.map { "\($0.label) in \(origin)" } }
    }

    /// How many texts were searched.
    var count: Int { texts.count }
}
