import CertCore
import Foundation
import Providers

/// Completes a `kubectl certs` command line: subcommands and flags from the command tree,
/// values from where they live — the kubeconfig, the cluster (one request at most), the
/// provider registry, the states and formats the commands accept.
struct CompletionEngine {
    var tree: CommandTree
    var environment: [String: String]

    /// `words` are the arguments after the plugin name, the last being the word to complete.
    func complete(_ words: [String]) async -> CompletionReply {
        let line = CompletionLine(words: words, tree: tree)
        switch line.slot {
        case .passthrough:
            return CompletionReply(directive: .fileNames)
        case .flagName:
            return flags(of: line).matching(line.word)
        case .optionValue(let key):
            return await values(of: key, line: line).matching(line.word)
        case .inlineOptionValue(let key, let prefix):
            var reply = await values(of: key, line: line).matching(line.word)
            reply.candidates = reply.candidates.map { .init(value: prefix + $0.value, description: $0.description) }
            return reply
        case .argument(let index):
            var reply = await positional(index, line: line)
            if index == 0 {
                reply.candidates = line.command.visibleSubcommands.map { .init(value: $0.commandName, description: $0.abstract) } + reply.candidates
            }
            return reply.matching(line.word)
        }
    }

    /// The flags of the command, leaving out those given already that cannot be repeated.
    private func flags(of line: CompletionLine) -> CompletionReply {
        var reply = CompletionReply()
        for option in line.command.options where option.shouldDisplay && (option.isRepeating || !line.given.contains(option.key)) {
            for spelling in option.spellings { reply.candidates.append(.init(value: spelling, description: option.abstract)) }
        }
        return reply
    }

    private func positional(_ index: Int, line: CompletionLine) async -> CompletionReply {
        let positionals = line.command.positionals
        guard let argument = index < positionals.count ? positionals[index] : positionals.last.flatMap({ $0.isRepeating ? $0 : nil }) else {
            return CompletionReply()
        }
        switch (line.path.joined(separator: " "), argument.key) {
        case ("status", "targets"), ("renew", "targets"):
            return await targets([.ingress, .certificate, .secret], line: line)
        case ("issue", "target"):
            return await targets([.ingress, .certificate], line: line)
        case ("providers show", "name"), ("providers check", "name"):
            return providers()
        case ("help", "subcommands") where index == 0:
            return CompletionReply(candidates: tree.visibleSubcommands.filter { $0.commandName != "help" }.map { .init(value: $0.commandName, description: $0.abstract) })
        default:
            if let values = argument.allValues { return CompletionReply(candidates: values.map { .init(value: $0) }) }
            return CompletionReply(directive: argument.parsingStrategy == "postTerminator" ? .fileNames : .noFileCompletion)
        }
    }

    private func values(of key: String, line: CompletionLine) async -> CompletionReply {
        let cluster = clusterNames(line)
        switch key {
        case "namespace":
            return CompletionReply(candidates: await cluster.namespaces().map { .init(value: $0) })
        case "context":
            return CompletionReply(candidates: cluster.contexts().map { .init(value: $0) })
        case "dns":
            return providers()
        case "fail-on":
            return failOnStates(line.word)
        case "output" where !OutputFormats.names(for: line.path).isEmpty:
            return CompletionReply(candidates: OutputFormats.names(for: line.path).map { .init(value: $0) })
        case "server":
            return CompletionReply(candidates: ACMEServer.wellKnown.map { .init(value: $0.name, description: $0.url) })
        case "key-type":
            return CompletionReply(candidates: KeyType.allCases.map { .init(value: $0.rawValue) })
        case "dns-credentials":
            return await targets([.secret], line: line)
        case "issuer":
            return CompletionReply(candidates: await cluster.names(of: .issuers).map { .init(value: $0) })
        case "cluster-issuer":
            return CompletionReply(candidates: await cluster.names(of: .clusterIssuers).map { .init(value: $0) })
        case "ingress-class":
            return CompletionReply(candidates: await cluster.names(of: .ingressClasses).map { .init(value: $0) })
        default:
            // A file (FILE) is the shell's to complete; an enumeration lists itself.
            let option = line.command.options.first { $0.key == key }
            if let values = option?.allValues { return CompletionReply(candidates: values.map { .init(value: $0) }) }
            return CompletionReply(directive: option?.valueName == "FILE" ? .fileNames : .noFileCompletion)
        }
    }

    /// `kind/` while no kind is typed; then the names of that kind in the namespace.
    private func targets(_ kinds: [Target.Kind], line: CompletionLine) async -> CompletionReply {
        guard let slash = line.word.firstIndex(of: "/") else {
            return CompletionReply(candidates: kinds.map { .init(value: "\($0.rawValue)/") }, directive: [.noSpace, .noFileCompletion])
        }
        let typed = String(line.word[..<slash])
        guard let kind = Target("\(typed)/name")?.kind, kinds.contains(kind) else { return CompletionReply() }
        let type: ResourceType = switch kind {
        case .ingress: .ingresses
        case .certificate: .certificates
        case .secret: .secrets
        }
        return CompletionReply(candidates: await clusterNames(line).names(of: type).map { .init(value: "\(typed)/\($0)") })
    }

    private func providers() -> CompletionReply {
        let listings = (try? ProviderRegistry.listings(environment: environment)) ?? []
        return CompletionReply(candidates: listings.map { .init(value: $0.entry.code, description: $0.entry.name) })
    }

    /// `--fail-on` takes a comma-separated list: complete its last item, not repeating any.
    private func failOnStates(_ word: String) -> CompletionReply {
        let listed = word.split(separator: ",", omittingEmptySubsequences: false).dropLast().map(String.init)
        let prefix = listed.map { $0 + "," }.joined()
        let states = HealthState.allCases.map(\.rawValue).filter { !listed.contains($0) }
        return CompletionReply(candidates: states.map { .init(value: prefix + $0) }, directive: [.noSpace, .noFileCompletion])
    }

    private func clusterNames(_ line: CompletionLine) -> ClusterNames {
        ClusterNames(kubeconfig: line.values["kubeconfig"], context: line.values["context"], namespace: line.values["namespace"], environment: environment)
    }
}
