import ArgumentParser
import Foundation

/// The commands, flags and arguments of the CLI as ArgumentParser describes them (its
/// `--experimental-dump-help` document), so completion offers exactly what the parser takes.
struct CommandTree: Decodable, Sendable {
    var commandName: String
    var abstract: String?
    var shouldDisplay: Bool?
    var subcommands: [CommandTree]?
    var arguments: [Argument]?

    struct Argument: Decodable, Sendable {
        enum Kind: String, Decodable, Sendable {
            case positional, option, flag
        }

        struct Name: Decodable, Sendable {
            var kind: String
            var name: String

            /// As typed: `--namespace`, `-n`.
            var spelling: String { kind == "long" ? "--\(name)" : "-\(name)" }
        }

        var kind: Kind
        var names: [Name]?
        var preferredName: Name?
        var valueName: String?
        var abstract: String?
        var shouldDisplay: Bool
        var isRepeating: Bool
        var parsingStrategy: String?
        /// The values an enumerated argument takes (`bash`, `zsh`, `fish`).
        var allValues: [String]?

        /// The long name without dashes (`namespace`), or the value name for a positional.
        var key: String { names?.first(where: { $0.kind == "long" })?.name ?? preferredName?.name ?? valueName ?? "" }
        var spellings: [String] { (names ?? []).map(\.spelling) }
    }

    private struct Document: Decodable {
        var command: CommandTree
    }

    /// The tree of `KubectlCerts`, read from ArgumentParser's own description of it.
    static func root() throws -> CommandTree {
        try JSONDecoder().decode(Document.self, from: Data(KubectlCerts._dumpHelp().utf8)).command
    }

    /// The subcommands a user may type (hidden ones left out).
    var visibleSubcommands: [CommandTree] { (subcommands ?? []).filter { $0.shouldDisplay != false } }

    func subcommand(named name: String) -> CommandTree? {
        visibleSubcommands.first { $0.commandName == name }
    }

    var options: [Argument] { (arguments ?? []).filter { $0.kind != .positional } }
    var positionals: [Argument] { (arguments ?? []).filter { $0.kind == .positional } }

    /// The flag or option spelled `spelling` (`--dns`, `-n`).
    func option(spelled spelling: String) -> Argument? {
        options.first { $0.spellings.contains(spelling) }
    }
}
