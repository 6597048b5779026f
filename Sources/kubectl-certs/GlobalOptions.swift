import ArgumentParser

/// The flags every command takes. kubectl hands a plugin its arguments unparsed, so the
/// plugin parses these itself, with kubectl's names and meanings.
struct GlobalOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("Path to the kubeconfig file to use (instead of KUBECONFIG or ~/.kube/config).", valueName: "FILE"))
    var kubeconfig: String?

    @Option(name: .long, help: ArgumentHelp("The kubeconfig context to use.", valueName: "NAME"))
    var context: String?

    @Option(name: [.short, .long], help: ArgumentHelp("The namespace to work in.", valueName: "NS"))
    var namespace: String?

    @Flag(name: [.short, .long], help: "More detail on stderr; repeat for more (-vv, -vvv).")
    var verbose: Int

    @Flag(name: .long, help: "No colour in the output (also NO_COLOR, or when not on a terminal).")
    var noColor = false

    @Option(name: .long, help: ArgumentHelp("How long to wait for one request to the API server (e.g. 30s, 1m; 0 waits forever).", valueName: "DURATION"))
    var requestTimeout: String?

    func validate() throws {
        if let requestTimeout, (try? Duration(parsing: requestTimeout)) == nil {
            throw ValidationError("--request-timeout \(requestTimeout): expected a duration such as 30s, 2m or 1h")
        }
    }
}
