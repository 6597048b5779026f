import ArgumentParser
import Foundation
import TestSupport
import Testing
@testable import kubectl_certs

/// Help reads like kubectl's: every command's help has an Examples section whose commands the
/// parser accepts as they are written (so they cannot rot), and usage and errors say
/// `kubectl certs`.
@Suite(.lab) struct HelpExamplesTests {
    let binary = Subprocess.buildDirectory.appendingPathComponent("kubectl-certs").path

    struct Command: CustomTestStringConvertible {
        var path: [String]
        var discussion: String
        var testDescription: String { path.isEmpty ? "kubectl certs" : "kubectl certs \(path.joined(separator: " "))" }
    }

    /// Every command users can reach, from ArgumentParser's own description of the tree.
    static func commands() throws -> [Command] {
        let document = try JSONSerialization.jsonObject(with: Data(KubectlCerts._dumpHelp().utf8)) as? [String: Any]
        var found: [Command] = []
        func walk(_ command: [String: Any], path: [String]) {
            found.append(Command(path: path, discussion: command["discussion"] as? String ?? ""))
            for sub in command["subcommands"] as? [[String: Any]] ?? [] where sub["shouldDisplay"] as? Bool != false {
                guard let name = sub["commandName"] as? String, name != "help" else { continue }
                walk(sub, path: path + [name])
            }
        }
        walk(document?["command"] as? [String: Any] ?? [:], path: [])
        return found
    }

    /// The example commands of a discussion: after `Examples:`, each line (with its `\`
    /// continuations) that runs `kubectl certs`, as the arguments a shell would pass.
    static func examples(in discussion: String) -> [[String]] {
        guard let start = discussion.range(of: "Examples:\n") else { return [] }
        var commands: [[String]] = []
        var pending = ""
        for line in discussion[start.upperBound...].split(separator: "\n", omittingEmptySubsequences: false) {
            let text = line.trimmingCharacters(in: .whitespaces)
            if text.hasSuffix("\\") {
                pending += text.dropLast() + " "
                continue
            }
            let whole = pending + text
            pending = ""
            guard let run = whole.range(of: "kubectl certs") else { continue }
            commands.append(Array(shellWords(String(whole[run.lowerBound...])).dropFirst(2)))
        }
        return commands
    }

    /// Splits like a shell: quotes group, and a redirection, pipe, closing parenthesis or
    /// comment ends the command.
    static func shellWords(_ text: String) -> [String] {
        var words: [String] = []
        var word = ""
        var inWord = false
        var quote: Character?
        for character in text {
            if let open = quote {
                if character == open { quote = nil } else { word.append(character) }
            } else if character == "'" || character == "\"" {
                quote = character
                inWord = true
            } else if character == " " {
                if inWord { words.append(word) }
                word = ""
                inWord = false
            } else if ">|)".contains(character) || (character == "#" && !inWord) {
                break
            } else {
                word.append(character)
                inWord = true
            }
        }
        if inWord && quote == nil { words.append(word) }
        return words
    }

    @Test(arguments: try commands())
    func helpHasExamplesThatParse(_ command: Command) throws {
        let help = try Subprocess.run(binary, command.path + ["--help"])
        #expect(help.status == 0)
        #expect(help.stdout.contains("\nExamples:\n  # "), "no Examples section in the help of \(command.testDescription)")
        #expect(help.stdout.contains("USAGE: \(command.testDescription)"))
        let examples = Self.examples(in: command.discussion)
        #expect(examples.contains { Array($0.prefix(command.path.count)) == command.path }, "no example runs \(command.testDescription)")
        for example in examples {
            #expect(throws: Never.self, "kubectl certs \(example.joined(separator: " "))") { _ = try KubectlCerts.parseAsRoot(example) }
        }
        let lines = command.discussion.split(separator: "\n")
        for line in lines.drop(while: { $0 != "Examples:" }) {
            #expect(line.count <= 80, "an example line longer than a terminal: \(line)")
        }
    }

    @Test func theExampleReaderSplitsAsAShellDoes() {
        #expect(Self.shellWords("kubectl certs issue -d '*.example.com' --secret \"web tls\"") == ["kubectl", "certs", "issue", "-d", "*.example.com", "--secret", "web tls"])
        #expect(Self.shellWords("kubectl certs install --dry-run -o yaml > out.yaml") == ["kubectl", "certs", "install", "--dry-run", "-o", "yaml"])
        #expect(Self.shellWords("kubectl certs completion bash)") == ["kubectl", "certs", "completion", "bash"])
        #expect(Self.examples(in: "Examples:\n  # one\n  X=1 \\\n    kubectl certs dns check \\\n    -d example.com\n") == [["dns", "check", "-d", "example.com"]])
        // An example the parser refuses is caught.
        #expect(throws: (any Error).self) { _ = try KubectlCerts.parseAsRoot(["issue", "-d", "example.com"]) }
    }

    @Test func parserErrorsSayKubectlCerts() throws {
        do {
            _ = try KubectlCerts.parseAsRoot(["status", "--no-such-flag"])
            Issue.record("an unknown flag was accepted")
        } catch {
            let message = KubectlCerts.fullMessage(for: error)
            #expect(message.contains("Usage: kubectl certs status"), "\(message)")
            #expect(message.contains("See 'kubectl certs status --help'"), "\(message)")
            #expect(!message.contains("kubectl-certs"), "\(message)")
        }
    }

    @Test func usageAndErrorsSayKubectlCertsThroughKubectl() throws {
        let path = "\(Subprocess.buildDirectory.path):\(ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin")"
        let error = try Subprocess.run("kubectl", ["certs", "renew", "--concurrency", "many"], environment: ["PATH": path])
        #expect(error.status == 2)
        #expect(error.stderr.contains("Usage: kubectl certs renew"), "\(error.stderr)")
        #expect(!error.stderr.contains("kubectl-certs"), "\(error.stderr)")
        let help = try Subprocess.run("kubectl", ["certs", "--help"], environment: ["PATH": path])
        #expect(help.stdout.contains("USAGE: kubectl certs <subcommand>"), "\(help.stdout)")
        #expect(help.stdout.contains("See 'kubectl certs help <subcommand>'"), "\(help.stdout)")
    }

    @Test func onlyMachineReadableDescriptionsUseTheExecutablesName() {
        #expect(CommandName.name(for: ["/usr/bin/kubectl-certs", "status"]) == "kubectl certs")
        #expect(CommandName.name(for: ["kubectl-certs", "--experimental-dump-help"]) == "kubectl-certs")
        #expect(CommandName.name(for: ["kubectl-certs", "--generate-completion-script=zsh"]) == "kubectl-certs")
        #expect(CommandName.name(for: ["kubectl-certs", "--generate-completion-script", "zsh"]) == "kubectl-certs")
    }
}
