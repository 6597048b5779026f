/// What help, usage lines and parser errors call the program.
///
/// kubectl runs the executable `kubectl-certs` for `kubectl certs` with nothing that tells the
/// two apart (kubectl 1.32 passes the plain environment and the executable's path as argv[0],
/// as a shell may), so the program always speaks as `kubectl certs` — the name it is installed
/// to be used by, as cobra's display-name annotation does for kubectl plugins. Only the
/// machine-readable descriptions keep the executable's name, because it names files and shell
/// functions: the tool-info dump man pages are generated from, and ArgumentParser's own
/// `--generate-completion-script`.
enum CommandName {
    static let executable = "kubectl-certs"
    static let display = "kubectl certs"

    /// The name for this process, decided once from its arguments.
    static let current = name(for: CommandLine.arguments)

    static func name(for arguments: [String]) -> String {
        let describesItself = arguments.dropFirst().contains { $0 == "--experimental-dump-help" || $0.hasPrefix("--generate-completion-script") }
        return describesItself ? executable : display
    }
}
