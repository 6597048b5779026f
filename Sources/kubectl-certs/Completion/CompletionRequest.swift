import Foundation

/// `kubectl-certs __complete WORDS...`: the hidden request behind every completion — from
/// kubectl (through `kubectl_complete-certs`) and from this program's shell scripts. Answers
/// on stdout in cobra's format; never writes to stderr and always exits 0.
enum CompletionRequest {
    static let command = "__complete"

    /// The words to complete when `arguments` (argv) is such a request.
    static func words(in arguments: [String]) -> [String]? {
        guard arguments.count >= 2, arguments[1] == command else { return nil }
        let words = Array(arguments.dropFirst(2))
        return words.isEmpty ? [""] : words
    }

    static func answer(_ words: [String], environment: [String: String] = ProcessInfo.processInfo.environment) async -> String {
        guard let tree = try? CommandTree.root() else { return CompletionReply(directive: .error).rendered }
        return await CompletionEngine(tree: tree, environment: environment).complete(words).rendered
    }
}
