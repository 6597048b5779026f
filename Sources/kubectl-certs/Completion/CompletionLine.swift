/// A command line being completed, read against the command tree: which command it is in,
/// the flag values already given, and what kind of word is under the cursor.
struct CompletionLine {
    /// What the word being completed is.
    enum Slot: Equatable {
        /// A subcommand name or the command's next positional argument (index among them).
        case argument(index: Int)
        /// A flag or option name (the word starts with `-`).
        case flagName
        /// The value of the option with this key (`namespace`), typed as a separate word.
        case optionValue(key: String)
        /// The value of the option with this key, typed as `--key=value`; `prefix` is `--key=`.
        case inlineOptionValue(key: String, prefix: String)
        /// After `--`: words passed through, completed as files by the shell.
        case passthrough
    }

    var command: CommandTree
    /// The subcommand names from the root to `command` (`["providers", "show"]`).
    var path: [String]
    /// Every option value given before the cursor, by option key (last one wins).
    var values: [String: String]
    /// The option keys given before the cursor.
    var given: Set<String>
    var slot: Slot
    /// The text under the cursor (without a `--key=` part).
    var word: String

    /// `words` are the arguments after the plugin name; the last one is the word to complete
    /// (empty when the cursor follows a space).
    init(words: [String], tree: CommandTree) {
        var command = tree
        var path: [String] = []
        var values: [String: String] = [:]
        var given = Set<String>()
        var pending: CommandTree.Argument?
        var positionals = 0
        var passthrough = false
        for word in words.dropLast() {
            if let option = pending {
                values[option.key] = word
                pending = nil
            } else if passthrough {
                continue
            } else if word == "--" {
                passthrough = true
            } else if word.hasPrefix("--"), let equals = word.firstIndex(of: "=") {
                if let option = command.option(spelled: String(word[..<equals])) {
                    values[option.key] = String(word[word.index(after: equals)...])
                    given.insert(option.key)
                }
            } else if word.hasPrefix("-"), word.count > 1 {
                for option in Self.options(in: word, of: command) {
                    given.insert(option.key)
                    if option.kind == .option { pending = option }
                }
            } else if positionals == 0, let subcommand = command.subcommand(named: word) {
                command = subcommand
                path.append(word)
            } else {
                positionals += 1
            }
        }
        let current = words.last ?? ""
        self.command = command
        self.path = path
        self.values = values
        self.given = given
        self.word = current
        if let pending {
            slot = .optionValue(key: pending.key)
        } else if passthrough {
            slot = .passthrough
        } else if current.hasPrefix("--"), let equals = current.firstIndex(of: "="),
                  let option = command.option(spelled: String(current[..<equals])), option.kind == .option {
            slot = .inlineOptionValue(key: option.key, prefix: String(current[...equals]))
            word = String(current[current.index(after: equals)...])
        } else if current.hasPrefix("-") {
            slot = .flagName
        } else {
            slot = .argument(index: positionals)
        }
    }

    /// The flags and options one word names: `--dns`, `-n`, or short flags run together
    /// (`-Av`, `-vvn`), where only the last may take a value.
    private static func options(in word: String, of command: CommandTree) -> [CommandTree.Argument] {
        if word.hasPrefix("--") { return command.option(spelled: word).map { [$0] } ?? [] }
        if let whole = command.option(spelled: word) { return [whole] }
        return word.dropFirst().compactMap { command.option(spelled: "-\($0)") }
    }
}
