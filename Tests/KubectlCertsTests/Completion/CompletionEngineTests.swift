import ArgumentParser
import CertCore
import Foundation
import Providers
import TestSupport
import Testing
@testable import kubectl_certs

/// The completion engine on command lines that need no cluster: subcommands and flags from the
/// command tree, and the values that come from the program itself or the kubeconfig.
@Suite struct CompletionEngineTests {
    /// An environment that points at no cluster: nothing here may depend on the machine's.
    let isolated = ["KUBECONFIG": "/nonexistent/kubeconfig"]

    func complete(_ words: [String], environment: [String: String]? = nil) async throws -> CompletionReply {
        try await CompletionEngine(tree: CommandTree.root(), environment: environment ?? isolated).complete(words)
    }

    func values(_ words: [String], environment: [String: String]? = nil) async throws -> [String] {
        try await complete(words, environment: environment).candidates.map(\.value)
    }

    @Test func theFirstWordIsAnyVisibleSubcommandOfTheCommandTree() async throws {
        let names = KubectlCerts.configuration.subcommands.map { $0._commandName }
        let offered = try await values([""])
        for name in names { #expect(offered.contains(name), "\(name) is not offered") }
        #expect(!offered.contains("__complete"))
        #expect(try await values(["pro"]) == ["providers"])
        #expect(try await values(["providers", ""]) == ["list", "show", "check"])
        #expect(try await values(["help", "re"]) == ["renew"])
    }

    @Test func flagsAreThoseOfTheSubcommandOnTheLine() async throws {
        let issue = try await values(["issue", "-"])
        for flag in ["--dns", "--secret", "-d", "-n", "--namespace", "--kubeconfig", "--context", "--dry-run", "--adopt", "--key-type"] {
            #expect(issue.contains(flag), "issue does not offer \(flag)")
        }
        #expect(!issue.contains("--fail-on"))
        #expect(!issue.contains("-A"))
        #expect(try await values(["status", "--f"]) == ["--fail-on"])
        let described = try await complete(["status", "--fail"]).candidates
        #expect(described.first?.description?.contains("Exit 3") == true)
    }

    @Test func aFlagGivenAlreadyIsOfferedAgainOnlyWhenItRepeats() async throws {
        #expect(try await values(["status", "--within", "30d", "--wi"]) == [])
        #expect(try await values(["status", "-v", "--verb"]) == ["--verbose"])
        #expect(try await values(["issue", "-d", "a.example.com", "-"]).contains("-d"))
    }

    @Test func providerCodesForDNSComeFromTheRegistry() async throws {
        let codes = try ProviderRegistry.listings(environment: [:]).map(\.entry.code)
        #expect(codes.count > 10)
        #expect(try await values(["issue", "--dns", ""]) == codes)
        #expect(try await values(["issue", "--dns", "r"]) == codes.filter { $0.hasPrefix("r") })
        #expect(try await values(["issue", "--dns=r"]) == codes.filter { $0.hasPrefix("r") }.map { "--dns=\($0)" })
        #expect(try await values(["providers", "show", ""]) == codes)
        let rfc2136 = try await complete(["renew", "--dns", "rfc"]).candidates
        #expect(rfc2136 == [.init(value: "rfc2136", description: "RFC 2136 dynamic update")])
    }

    @Test func failOnCompletesTheLastStateOfItsList() async throws {
        #expect(try await values(["status", "--fail-on", ""]) == HealthState.allCases.map(\.rawValue))
        let reply = try await complete(["status", "--fail-on", "Expired,E"])
        #expect(reply.candidates.map(\.value) == ["Expired,Expiring"])
        #expect(reply.directive.contains(.noSpace))
        #expect(try await values(["status", "--fail-on", "Missing,Invalid,"]).allSatisfy { $0.hasPrefix("Missing,Invalid,") })
        #expect(try await values(["status", "--fail-on", "Missing,Invalid,"]).count == HealthState.allCases.count - 2)
    }

    @Test func outputFormatsAreTheCommandsOwn() async throws {
        #expect(try await values(["status", "-o", ""]) == StatusRenderer.Format.allCases.map(\.rawValue))
        #expect(try await values(["renew", "--output", ""]) == RenewalReport.Format.allCases.map(\.rawValue))
        #expect(try await values(["install", "-o", ""]) == ManifestPrinter.Format.allCases.map(\.rawValue))
        #expect(try await values(["version", "-o", ""]) == ["text", "json", "yaml"])
        #expect(try await values(["providers", "list", "-o", "j"]) == ["json"])
    }

    @Test func otherValuesFromTheProgram() async throws {
        #expect(try await values(["completion", ""]) == ["bash", "zsh", "fish"])
        #expect(try await values(["issue", "--key-type", "rsa"]) == ["rsa2048", "rsa3072", "rsa4096"])
        #expect(try await values(["issue", "--server", "letsencrypt"]) == ["letsencrypt", "letsencrypt-staging"])
    }

    @Test func targetsStartWithTheirKind() async throws {
        let status = try await complete(["status", ""])
        #expect(status.candidates.map(\.value) == ["ingress/", "certificate/", "secret/"])
        #expect(status.directive == [.noSpace, .noFileCompletion])
        #expect(try await values(["issue", ""]) == ["ingress/", "certificate/"])
        #expect(try await values(["renew", "secret/web-tls", "c"]) == ["certificate/"])
        // A secret is no target of issue: nothing to list, and no request made for it.
        #expect(try await values(["issue", "secret/"]) == [])
    }

    @Test func contextsComeFromTheKubeconfigOnTheLineOrInKUBECONFIG() async throws {
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        func kubeconfig(_ contexts: [String]) -> String {
            "apiVersion: v1\nkind: Config\nclusters: []\nusers: []\ncontexts:\n" + contexts.map { "- name: \($0)\n  context: {cluster: none}\n" }.joined()
        }
        let first = try scratch.write("first", kubeconfig(["prod-eu", "staging-eu"]))
        let second = try scratch.write("second", kubeconfig(["staging-eu", "dev-local"]))
        #expect(try await values(["status", "--kubeconfig", first, "--context", ""]) == ["prod-eu", "staging-eu"])
        #expect(try await values(["status", "--kubeconfig=\(second)", "--context", "d"]) == ["dev-local"])
        #expect(try await values(["status", "--context", ""], environment: ["KUBECONFIG": "\(first):\(second)"]) == ["prod-eu", "staging-eu", "dev-local"])
    }

    @Test func filesAreTheShellsToComplete() async throws {
        let bundle = try await complete(["issue", "--acme-ca-bundle", ""])
        #expect(bundle.candidates.isEmpty)
        #expect(bundle.directive == .fileNames)
        let within = try await complete(["status", "--within", ""])
        #expect(within.candidates.isEmpty)
        #expect(within.directive == .noFileCompletion)
        #expect(try await complete(["install", "--", "--wi"]).directive == .fileNames)
    }

    @Test func repliesAreInCobrasFormat() {
        let reply = CompletionReply(candidates: [.init(value: "cloudflare", description: "Cloudflare\tDNS\nmore"), .init(value: "exec")], directive: [.noSpace, .noFileCompletion])
        #expect(reply.rendered == "cloudflare\tCloudflare DNS\nexec\n:6\n")
        #expect(CompletionReply(directive: .error).rendered == ":1\n")
    }
}
