import ArgumentParser
import CertCore
import DNS01
import Foundation

extension KubectlCerts {
    struct Issue: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Issue a certificate through ACME, proven by DNS-01 or HTTP-01, into a TLS Secret.",
            discussion: """
            DNS provider credentials come from the environment (e.g. RFC2136_NAMESERVER,
            RFC2136_TSIG_KEY, RFC2136_TSIG_SECRET, each also as NAME_FILE), from
            --dns-credentials secret/NAME, or from the issuer's solver — never from arguments.

            Examples:
              # Issue a wildcard certificate through Cloudflare into web-tls
              kubectl certs issue -d '*.example.com' -d example.com --secret web-tls \\
                --dns cloudflare

              # One certificate per spec.tls entry of an Ingress
              kubectl certs issue ingress/web -n shop

              # The certificate a cert-manager Certificate describes, with its issuer
              kubectl certs issue certificate/web -n shop

              # Show the plan and check what can be checked; order and write nothing
              kubectl certs issue ingress/web -n shop --dry-run

              # Prove two names by HTTP-01 through the cluster's nginx ingress
              kubectl certs issue -d shop.example.com -d www.example.com \\
                --secret shop-tls -n shop --http01 --ingress-class nginx
            """
        )

        @OptionGroup var global: GlobalOptions
        @OptionGroup var acme: ACMEOptions
        @OptionGroup var dns: DNSOptions
        @OptionGroup var http01Options: HTTP01Options

        @Flag(name: .customLong("http01"), help: "Prove the names by HTTP-01 through the cluster's ingress instead of DNS-01 (no wildcards).")
        var http01 = false

        @Flag(name: .customLong("ingress-edit"), help: "With --http01 and ingress/NAME: add the challenge paths to that Ingress (and remove them afterwards) instead of creating Ingresses.")
        var ingressEdit = false

        @Argument(help: "ingress/NAME or certificate/NAME; or give the names with -d.")
        var target: String?

        @Option(name: .customShort("d"), help: ArgumentHelp("A name for the certificate (repeat; wildcards allowed).", valueName: "DOMAIN"))
        var domains: [String] = []

        @Option(help: ArgumentHelp("The Secret to write (with -d).", valueName: "NAME"))
        var secret: String?

        @Flag(help: "Show the plan and check what can be checked; order nothing, write nothing.")
        var dryRun = false

        @Flag(help: "Take over an existing Secret kubectl-certs does not manage (its other keys, labels and annotations are kept).")
        var adopt = false

        func validate() throws {
            if target != nil && !domains.isEmpty {
                throw ValidationError("give either a TARGET or -d names, not both")
            }
            if let target {
                guard let parsed = Target(target), parsed.kind != .secret else {
                    throw ValidationError("\(target): expected ingress/NAME or certificate/NAME")
                }
            } else {
                guard !domains.isEmpty else { throw ValidationError("name what to issue: -d DOMAIN... --secret NAME, ingress/NAME or certificate/NAME") }
                guard secret != nil else { throw ValidationError("-d needs --secret NAME: the Secret to store the certificate in") }
                var seen: [String: String] = [:]
                for domain in domains {
                    if let problem = Self.domainProblem(domain) { throw ValidationError("-d \(domain): \(problem)") }
                    if let first = seen.updateValue(domain, forKey: Punycode.asciiDomain(domain)) {
                        throw ValidationError("-d \(domain) is the same name as -d \(first); give each name once")
                    }
                }
            }
            try acme.validateOptions()
            try dns.validateOptions()
            try validateHTTP01()
        }

        private func validateHTTP01() throws {
            try http01Options.validateOptions()
            guard http01 else {
                if ingressEdit || http01Options.isSet {
                    throw ValidationError("--ingress-edit, --ingress-class, --http01-solver-image and --http01-timeout go with --http01")
                }
                return
            }
            if dns.provider != nil { throw ValidationError("give either --http01 or --dns PROVIDER, not both") }
            if let wildcard = domains.first(where: { $0.hasPrefix("*.") }) {
                throw ValidationError("-d \(wildcard): a wildcard can be proven by DNS-01 only, not --http01; issue it with --dns PROVIDER, or through an issuer with a dns01 solver for it")
            }
            if ingressEdit {
                guard let target, Target(target)?.kind == .ingress else { throw ValidationError("--ingress-edit edits the Ingress named as the target: give ingress/NAME") }
                if http01Options.ingressClass != nil { throw ValidationError("--ingress-edit adds paths to an existing Ingress, whose class stays as it is: drop --ingress-class") }
            }
        }

        static func isDomain(_ name: String) -> Bool {
            domainProblem(name) == nil
        }

        /// Why `name` cannot be a certificate's DNS name, or nil when it can. Lengths count
        /// the ASCII form (Unicode labels as A-labels), which is what the CA sees.
        static func domainProblem(_ name: String) -> String? {
            if name.hasSuffix(".") { return "drop the trailing dot" }
            var labels = name.split(separator: ".", omittingEmptySubsequences: false)
            if labels.first == "*" { labels.removeFirst() }
            if labels.contains(where: { $0.contains("*") }) {
                return "a wildcard is allowed only as the whole left-most label, as in *.example.com"
            }
            guard labels.count >= 2 else { return "a DNS name has at least two labels, as in example.com" }
            let ascii = Punycode.asciiDomain(name)
            if ascii.utf8.count > 253 { return "the name is \(ascii.utf8.count) characters long in ASCII (\(ascii)); it may not be longer than 253" }
            for label in labels {
                if label.isEmpty { return "the name has an empty label (two dots in a row, or a leading dot)" }
                if label.hasPrefix("-") || label.hasSuffix("-") { return "the label \"\(label)\" starts or ends with a hyphen" }
                guard label.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" }) else {
                    return "the label \"\(label)\" may hold only letters, digits and hyphens"
                }
                let asciiLabel = Punycode.asciiDomain(String(label))
                if asciiLabel.utf8.count > 63 { return "the label \"\(label)\" is \(asciiLabel.utf8.count) characters long in ASCII; it may not be longer than 63" }
            }
            return nil
        }

        func run() async throws {
            let context = CommandContext(global)
            let client = try context.kubernetesClient()
            let progress = ProgressDisplay()
            let outstanding = OutstandingRecords()
            let parsedTarget = target.flatMap(Target.init)
            let specs = try await IssueTargets(client: client, acme: acme, namespace: client.connection.namespace)
                .specs(target: parsedTarget, domains: domains, secret: secret)
            if http01, let wildcard = specs.flatMap(\.orderNames).first(where: { $0.hasPrefix("*.") }) {
                throw CommandFailure(message: "\(wildcard) (from \(target ?? "-d")) is a wildcard, which can be proven by DNS-01 only, not --http01; issue it with --dns PROVIDER, or through an issuer with a dns01 solver for it", exitStatus: .usage)
            }
            let acmeHTTP = try acme.httpClient()
            var http01Solver = http01 ? http01Options.solver(editIngress: ingressEdit ? parsedTarget?.name : nil) : nil
            if http01, let target = parsedTarget, target.kind == .ingress {
                http01Solver?.takeClass(of: try await client.get(.ingresses, name: target.name, namespace: client.connection.namespace))
            }
            let settingsSource = IssueSettingsSource(client: client, acme: acme, dns: dns, http01: http01Solver)
            let workflow = IssueWorkflow(
                client: client,
                accounts: AccountStore(client: client, http: acmeHTTP),
                resolver: try dns.resolver(),
                propagation: try dns.propagation(),
                adopt: adopt,
                progress: progress,
                outstanding: outstanding,
                settings: { spec in try await settingsSource.settings(for: spec) },
                http01Timeout: try http01Options.selfCheckTimeout()
            )
            if dryRun {
                print(try await IssuePlanner(workflow: workflow).plan(specs), terminator: "")
                return
            }
            let started = ContinuousClock.now
            let issued = try await Interruption.run(outstanding: outstanding) {
                var issued: [IssueWorkflow.Issued] = []
                for spec in specs { issued.append(try await workflow.issue(spec)) }
                return issued
            }
            let elapsed = ContinuousClock.now - started
            let events = EventRecorder(client: client, progress: progress)
            for item in issued {
                await events.record(.issued, "Issued a certificate for \(item.spec.orderNames.joined(separator: ", ")), serial \(item.serial), valid until \(RFC3339.string(item.notAfter))",
                                    secret: ObjectReference(item.secret.object), servedBy: item.spec.servedBy)
                print("issued \(item.spec.orderNames.joined(separator: ", ")) into Secret \(item.spec.namespace)/\(item.spec.secretName); expires \(RFC3339.string(item.notAfter)) (\(String(format: "%.1f", elapsed.seconds)) s)")
            }
        }
    }
}
