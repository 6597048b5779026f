import ArgumentParser
import CertCore
import DNS01
import Foundation

@main
struct KubectlCerts: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: CommandName.current,
        abstract: "TLS certificates for Kubernetes Ingresses from ACME CAs, proven by DNS-01 or HTTP-01.",
        discussion: """
        Installed as `kubectl-certs` on PATH, it runs as `kubectl certs`.

        Exit codes: 0 ok, 1 error, 2 usage or bad input, 3 `status --fail-on` found problems,
        4 authentication or authorization refused, 5 the ACME server refused,
        6 DNS propagation timed out, 130 interrupted.

        Examples:
          # The health of every certificate in the cluster
          kubectl certs status -A

          # Issue a wildcard certificate through RFC 2136 into web-tls
          kubectl certs issue -d '*.example.com' -d example.com --secret web-tls \\
            --dns rfc2136
        """,
        version: Release.version,
        subcommands: [Status.self, Issue.self, Renew.self, Install.self, Uninstall.self, Providers.self, DNS.self, HTTP01.self, Version.self, Completion.self]
    )

    /// Runs the command and turns every failure into the exit code the design promises.
    static func main() async {
        // Shell completion (kubectl_complete-certs, the completion scripts) asks before any parsing.
        if let words = CompletionRequest.words(in: CommandLine.arguments) {
            print(await CompletionRequest.answer(words), terminator: "")
            quit(0)
        }
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
            quit(0)
        } catch {
            let code = exitCode(for: error)
            // Errors of the program itself are failures with the contract's exit codes; the
            // parser's own (help, version, usage) keep ArgumentParser's wording.
            guard code != .failure || error is CleanExit else { fail(CommandFailure(error)) }
            let message = fullMessage(for: error)
            if !message.isEmpty {
                let stream = code == .success ? FileHandle.standardOutput : FileHandle.standardError
                stream.write(Data((message + "\n").utf8))
            }
            // ArgumentParser reports usage errors as EX_USAGE (64); the contract says 2.
            quit(code.rawValue == 64 ? ExitStatus.usage.rawValue : code.rawValue)
        }
    }

    /// Ends the process without running exit-time teardown (OpenSSL's atexit cleanup, static
    /// destructors) while the HTTP engine's and DNS worker threads still exist: everything
    /// that matters has been written and flushed by then.
    static func quit(_ status: Int32) -> Never {
        fflush(nil)  // every open output stream
        _exit(status)
    }

    private static func fail(_ failure: CommandFailure) -> Never {
        fflush(nil)
        FileHandle.standardError.write(Data("error: \(failure.message)\n".utf8))
        quit(failure.exitStatus.rawValue)
    }
}
