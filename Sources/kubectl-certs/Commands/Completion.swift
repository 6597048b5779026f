import ArgumentParser

extension KubectlCerts {
    struct Completion: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print a shell completion script for kubectl-certs (bash, zsh or fish).",
            discussion: """
            The script completes subcommands, flags and values — namespaces, contexts, \
            ingress/, certificate/ and secret/ targets, DNS providers, --fail-on states — by \
            asking kubectl-certs itself, with one short request to the cluster at most. \
            `kubectl certs <TAB>` is completed by kubectl (1.26 or later) through the \
            kubectl_complete-certs program installed next to kubectl-certs.

            Examples:
              # Complete kubectl-certs in this bash session, and in every new one
              source <(kubectl certs completion bash)
              kubectl certs completion bash > /etc/bash_completion.d/kubectl-certs

              # zsh: install the script where compinit finds it
              kubectl certs completion zsh > "${fpath[1]}/_kubectl-certs"

              # fish
              kubectl certs completion fish > ~/.config/fish/completions/kubectl-certs.fish
            """
        )

        enum Shell: String, CaseIterable, ExpressibleByArgument {
            case bash, zsh, fish
        }

        @Argument(help: "The shell: bash, zsh or fish.")
        var shell: Shell

        func run() {
            switch shell {
            case .bash: print(BashCompletionScript.text, terminator: "")
            case .zsh: print(ZshCompletionScript.text, terminator: "")
            case .fish: print(FishCompletionScript.text, terminator: "")
            }
        }
    }
}
