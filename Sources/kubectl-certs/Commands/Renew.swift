import ArgumentParser
import CertCore
import DNS01
import Foundation

extension KubectlCerts {
    struct Renew: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Renew the certificates that are due.",
            discussion: """
            Considers every Secret kubectl-certs manages (in the namespace, or all with -A), or
            the targets named, and issues again those that are due — with the names, CA, DNS
            provider or HTTP-01 solver and key type recorded when they were issued, so no flags
            are needed; ACME, DNS and HTTP-01 flags given here apply over what was recorded. Due
            means: inside the CA's renewal window (ARI) when the CA offers one, else within
            --within, else in the last third of the certificate's lifetime; at once when the
            certificate is missing, expired or lacks a name. One Lease per certificate keeps two
            runs from renewing it at once. Exits 1 when any renewal failed.

            Examples:
              # Everything due, everywhere
              kubectl certs renew -A

              # What is due, and when the rest will be; renew nothing
              kubectl certs renew -A --dry-run

              # One certificate, also when it expires within 30 days
              kubectl certs renew secret/web-tls -n shop --within 720h

              # In pod N of an Indexed Job of 4 (N from JOB_COMPLETION_INDEX)
              kubectl certs renew -A --shards 4
            """
        )

        @OptionGroup var global: GlobalOptions
        @OptionGroup var acme: ACMEOptions
        @OptionGroup var dns: DNSOptions
        @OptionGroup var http01: HTTP01Options

        @Argument(help: "secret/NAME, ingress/NAME or certificate/NAME; every managed Secret when none.")
        var targets: [String] = []

        @Flag(name: [.customShort("A"), .long], help: "Every namespace.")
        var allNamespaces = false

        @Option(name: [.customShort("l"), .customLong("selector")], help: ArgumentHelp("Only Secrets with these labels, as kubectl takes a selector.", valueName: "SELECTOR"))
        var selector: String?

        @Option(help: ArgumentHelp("Also renew what expires within this long (e.g. 720h, 30d).", valueName: "DURATION"))
        var within: String?

        @Option(help: "How many certificates to renew at once (cert-manager's default for challenges at once is 60 too).")
        var concurrency: Int = 60

        @Option(help: ArgumentHelp("Only the certificates of shard I of N (0 ≤ I < N).", valueName: "I/N"))
        var shard: String?

        @Option(help: ArgumentHelp("Split the work into N shards; this pod's is JOB_COMPLETION_INDEX (an Indexed Job).", valueName: "N"))
        var shards: Int?

        @Flag(help: "Say what is due and when the rest will be; renew nothing.")
        var dryRun = false

        @Option(name: .shortAndLong, help: "Output format: table, json or yaml.")
        var output: String = "table"

        func validate() throws {
            guard RenewalReport.Format(rawValue: output) != nil else { throw ValidationError("-o \(output): expected table, json or yaml") }
            if let within, (try? Duration(parsing: within)) == nil { throw ValidationError("--within \(within): expected a duration such as 720h or 30d") }
            guard (1...1000).contains(concurrency) else { throw ValidationError("--concurrency \(concurrency): expected 1 to 1000") }
            if shard != nil && shards != nil { throw ValidationError("give --shard I/N or --shards N, not both") }
            if let shard, Shard(parsing: shard) == nil { throw ValidationError("--shard \(shard): expected I/N with 0 ≤ I < N, e.g. 0/3") }
            if let shards, shards < 1 { throw ValidationError("--shards \(shards): expected 1 or more") }
            if allNamespaces && !targets.isEmpty { throw ValidationError("a TARGET names one object: give -n NAMESPACE rather than -A") }
            for target in targets where Target(target) == nil { throw ValidationError("\(target): expected secret/NAME, ingress/NAME or certificate/NAME") }
            try acme.validateOptions()
            try dns.validateOptions()
            try http01.validateOptions()
        }

        /// This run's shard: --shard, or --shards with the Indexed Job's completion index.
        func chosenShard(environment: [String: String] = ProcessInfo.processInfo.environment) throws -> Shard? {
            if let shard { return Shard(parsing: shard) }
            guard let shards else { return nil }
            guard let text = environment["JOB_COMPLETION_INDEX"], let index = Int(text), let shard = Shard(index: index, count: shards) else {
                throw CommandFailure(message: "--shards \(shards) takes this pod's shard from JOB_COMPLETION_INDEX (set in an Indexed Job's pods), which is \(environment["JOB_COMPLETION_INDEX"].map { "\"\($0)\"" } ?? "not set"); outside such a Job use --shard I/\(shards)", exitStatus: .usage)
            }
            return shard
        }

        func run() async throws {
            let shard = try chosenShard()
            let context = CommandContext(global)
            // About a dozen requests per certificate over the few seconds its DNS takes: kubectl's
            // 50 a second would hold --concurrency back more than the DNS does (200 renewals took
            // 49 s at 50/s, 11–21 s at this rate).
            let client = try context.kubernetesClient(rate: .init(perSecond: Double(max(50, concurrency * 4)), burst: max(100, concurrency * 8)))
            let progress = ProgressDisplay()
            let outstanding = OutstandingRecords()
            let finder = RenewalCandidates(client: client, acme: acme, dns: dns, http01: http01)
            var (candidates, unreadable) = targets.isEmpty
                ? try await finder.managed(namespace: allNamespaces ? nil : client.connection.namespace, labelSelector: selector)
                : await finder.named(targets.compactMap(Target.init), namespace: client.connection.namespace)
            if let shard {
                candidates = candidates.filter { shard.owns($0.key) }
                unreadable = unreadable.filter { shard.owns("\($0.namespace)/\($0.name)") }
            }
            progress.note("\(candidates.count) certificate(s) to consider\(shard.map { " (shard \($0.index) of \($0.count))" } ?? "")")
            let acmeHTTP = try acme.httpClient()
            let workflow = RenewWorkflow(
                client: client, accounts: AccountStore(client: client, http: acmeHTTP), resolver: try dns.resolver(), propagation: try dns.propagation(),
                schedule: RenewalSchedule(now: Date(), within: try within.map { try Duration(parsing: $0) }),
                windows: RenewalInfoSource(http: acmeHTTP),
                lease: CertificateLease(client: client, holder: CertificateLease.holderIdentity()),
                events: EventRecorder(client: client, progress: progress),
                progress: progress, outstanding: outstanding, dryRun: dryRun, concurrency: concurrency,
                http01Timeout: try http01.selfCheckTimeout()
            )
            let chosen = candidates
            let results = try await Interruption.run(outstanding: outstanding) {
                let results = await workflow.run(chosen)
                try Task.checkCancellation()
                return results
            }
            let report = RenewalReport(items: unreadable.map {
                RenewalResult(namespace: $0.namespace, secret: $0.name, names: [], outcome: .failed, reason: $0.message)
            } + results)
            print(try report.render(RenewalReport.Format(rawValue: output)!), terminator: "")
            if report.failed > 0 {
                throw CommandFailure(message: "\(report.failed) of \(report.items.count) certificate(s) could not be renewed; see above")
            }
        }
    }
}
