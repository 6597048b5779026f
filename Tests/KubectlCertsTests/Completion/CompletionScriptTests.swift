import Foundation
import TestSupport
import Testing

/// `kubectl certs completion bash|zsh|fish`: scripts each shell accepts, which complete
/// `kubectl-certs` through the same engine as kubectl's plugin completion — checked by
/// completing a line in the real bash, zsh and fish.
@Suite(.lab) struct CompletionScriptTests {
    let binary = Subprocess.buildDirectory.appendingPathComponent("kubectl-certs").path
    /// This build first on PATH; no cluster anywhere.
    var environment: [String: String] {
        ["PATH": "\(Subprocess.buildDirectory.path):\(ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin")", "KUBECONFIG": "/nonexistent/kubeconfig"]
    }

    func script(_ shell: String) throws -> String {
        let result = try Subprocess.run(binary, ["completion", shell])
        #expect(result.status == 0, "completion \(shell): \(result.stderr)")
        return result.stdout
    }

    @Test(arguments: [("bash", ["-n"]), ("zsh", ["-n"]), ("fish", ["--no-execute"])])
    func theShellAcceptsTheScript(shell: String, check: [String]) throws {
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        let file = try scratch.write("completion.\(shell)", try script(shell))
        let result = try Subprocess.run(shell, check + [file])
        #expect(result.status == 0, "\(shell) refuses the script: \(result.stderr)")
        #expect(result.stderr.isEmpty, "\(result.stderr)")
    }

    @Test func bashCompletesWithTheEngine() throws {
        // COMP_WORDS as bash splits them, '=' a word of its own.
        let probe = #"""
        source <(kubectl-certs completion bash)
        complete_line() {
            COMP_LINE="$1"; COMP_POINT=${#COMP_LINE}; shift
            COMP_WORDS=("$@"); COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
            COMPREPLY=()
            _kubectl_certs_complete
            echo "${COMPREPLY[*]}"
        }
        complete_line "kubectl-certs sta" kubectl-certs sta
        complete_line "kubectl-certs issue --dns r" kubectl-certs issue --dns r
        complete_line "kubectl-certs issue --dns=ro" kubectl-certs issue --dns = ro
        complete_line "kubectl-certs status --fail-on Expired,Ex" kubectl-certs status --fail-on Expired,Ex
        """#
        let result = try Subprocess.run("bash", ["-c", probe], environment: environment)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
                == ["status", "rfc2136 route53", "route53", "Expired,Expiring", ""])
    }

    @Test func fishCompletesWithTheEngine() throws {
        let result = try Subprocess.run("fish", ["--no-config", "-c", """
            kubectl-certs completion fish | source
            complete -C 'kubectl-certs issue --dns r'
            complete -C 'kubectl-certs ver'
            """], environment: environment)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout == "rfc2136\tRFC 2136 dynamic update\nroute53\tAmazon Route 53\nversion\tPrint the version of kubectl-certs and of the libraries it runs on.\n")
    }

    @Test func zshCompletesWithTheEngine() throws {
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        // The script installed as _kubectl-certs in $fpath; an interactive zsh in a pseudo
        // terminal (zsh/zpty) gets a TAB and lists the candidates with their descriptions,
        // read until the last one shows (the outer `timeout` ends a run where it never does).
        let functions = scratch.url.appendingPathComponent("functions")
        try FileManager.default.createDirectory(at: functions, withIntermediateDirectories: true)
        _ = try scratch.write("functions/_kubectl-certs", try script("zsh"))
        let driver = try scratch.write("drive.zsh", """
            zmodload zsh/zpty
            zpty -b shell 'zsh -f -i'
            zpty -w shell "fpath=(\(functions.path) \\$fpath); autoload -U compinit; compinit -u -D"
            zpty -w -n shell $'kubectl-certs issue --dns r\\t'
            zpty -r shell out '*Amazon Route 53*'
            print -r -- "$out"
            zpty -d shell

            """)
        let result = try Subprocess.run("timeout", ["120", "zsh", "-f", driver], environment: environment)
        #expect(result.status == 0, "zsh did not list the candidates: \(result.stdout) \(result.stderr)")
        #expect(result.stdout.contains("rfc2136  -- RFC 2136 dynamic update"))
        #expect(result.stdout.contains("route53  -- Amazon Route 53"))
        #expect(!result.stdout.contains("cloudflare"))
    }

    @Test func anUnknownShellIsAUsageErrorNamingTheShells() throws {
        let result = try Subprocess.run(binary, ["completion", "tcsh"])
        #expect(result.status == 2)
        #expect(result.stdout.isEmpty)
        for shell in ["bash", "zsh", "fish"] { #expect(result.stderr.contains("'\(shell)'"), "\(result.stderr)") }
        #expect(result.stderr.contains("kubectl certs completion"))
    }

    @Test func argumentParsersOwnScriptKeepsTheExecutablesName() throws {
        // --generate-completion-script names shell functions after the command: they must stay
        // valid (kubectl-certs), though help says `kubectl certs`.
        let generated = try Subprocess.run(binary, ["--generate-completion-script", "bash"])
        #expect(generated.status == 0)
        #expect(generated.stdout.contains("complete -o filenames -F _kubectl-certs kubectl-certs"))
        #expect(!generated.stdout.contains("kubectl certs"))
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        let checked = try Subprocess.run("bash", ["-n", try scratch.write("generated.bash", generated.stdout)])
        #expect(checked.status == 0, "\(checked.stderr)")
    }
}
