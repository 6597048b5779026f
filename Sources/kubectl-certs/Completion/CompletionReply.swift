/// What a completion request answers, in cobra's `__complete` format, which kubectl reads from
/// a plugin's `kubectl_complete-<name>` and this program's shell scripts read too: one
/// candidate a line, optionally followed by a tab and a description, then `:<directive>`.
struct CompletionReply: Equatable {
    /// cobra's ShellCompDirective bits.
    struct Directive: OptionSet, Equatable {
        var rawValue: Int
        /// Something went wrong: the shell offers nothing.
        static let error = Directive(rawValue: 1)
        /// No space after the completed word (a `kind/` prefix, a comma list).
        static let noSpace = Directive(rawValue: 2)
        /// No file names when there are no candidates.
        static let noFileCompletion = Directive(rawValue: 4)
        /// Shells fall back to file names when there are no candidates.
        static let fileNames: Directive = []
    }

    struct Candidate: Equatable {
        var value: String
        var description: String?
    }

    var candidates: [Candidate] = []
    var directive: Directive = .noFileCompletion

    /// The candidates that start with `prefix`.
    func matching(_ prefix: String) -> CompletionReply {
        CompletionReply(candidates: candidates.filter { $0.value.hasPrefix(prefix) }, directive: directive)
    }

    var rendered: String {
        candidates.map { candidate in
            // One line per candidate: a description never carries a newline or a tab.
            let description = candidate.description.map { $0.split(whereSeparator: \.isNewline).first.map(String.init) ?? "" }?
                .replacingOccurrences(of: "\t", with: " ") ?? ""
            return description.isEmpty ? "\(candidate.value)\n" : "\(candidate.value)\t\(description)\n"
        }.joined() + ":\(directive.rawValue)\n"
    }
}
