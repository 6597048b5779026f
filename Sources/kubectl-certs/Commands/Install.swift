import ArgumentParser
import CertCore
import Foundation

extension KubectlCerts {
    struct Install: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run `kubectl-certs renew -A` in the cluster on a schedule (a CronJob).",
            discussion: """
            Applies, with server-side apply (field manager kubectl-certs): a ServiceAccount, a \
            ClusterRole with the least access renew needs and its ClusterRoleBinding, and a \
            batch/v1 CronJob whose locked-down pod (non-root UID \(RenewalInstallation.runAsUser), \
            read-only root filesystem, no capabilities) runs `kubectl-certs renew -A`. Everything \
            carries the labels uninstall looks for. Installing again changes only what differs.

            Namespace: -n, or \(RenewalInstallation.defaultNamespace), which install creates (and \
            uninstall removes): the renewal, its credentials and its Jobs apart from any workload, \
            as cert-manager keeps to its own. Any other namespace given with -n must exist.

            Schedule: by default twice a day, twelve hours apart, at a minute and hour picked at \
            random on the first install and kept on later ones. Twice a day so that a CA's renewal \
            window (ARI) and short-lived certificates are looked at well within a day and a failed \
            run has another chance before the day is out; at a random time, as Let's Encrypt asks, \
            so that many clusters do not all reach the CA on the hour. Renew only acts on \
            certificates that are due; other runs end quickly.

            Credentials: provider variables (RFC2136_TSIG_SECRET, CLOUDFLARE_DNS_API_TOKEN, ...) \
            reach the pod from a Secret in the namespace with --env-from-secret NAME; renew uses \
            what `issue` recorded on each certificate's Secret for everything else.

            Image: the image is not published anywhere; build it from the Dockerfile, push it \
            to a registry your cluster pulls from and name it with --image (see the README).

            Examples:
              # Renew twice a day with the image you built, credentials from a Secret
              kubectl certs install --env-from-secret dns-credentials \\
                --image registry.example.com/kubectl-certs:\(Release.version)

              # Daily, split over 3 pods
              kubectl certs install --schedule @daily --shards 3 \\
                --image registry.example.com/kubectl-certs:\(Release.version)

              # Print the objects instead of applying them
              kubectl certs install --dry-run -o yaml > kubectl-certs.yaml

              # Arguments after -- go to renew
              kubectl certs install \\
                --image registry.example.com/kubectl-certs:\(Release.version) \\
                -- --within 720h
            """
        )

        @OptionGroup var global: GlobalOptions

        @Option(help: ArgumentHelp("When to run: five cron fields or @hourly, @daily, @weekly, ... (default: twice a day at a random minute, kept on reinstall).", valueName: "CRON"))
        var schedule: String?

        @Option(help: ArgumentHelp("The image to run (default: \(Install.defaultImage), which you build yourself).", valueName: "IMAGE"))
        var image: String?

        @Option(help: ArgumentHelp("Split the work over N pods of an Indexed Job (renew -A --shards N).", valueName: "N"))
        var shards: Int?

        @Option(name: .customLong("env-from-secret"), help: ArgumentHelp("A Secret in the namespace whose keys become the pod's environment, e.g. provider credentials (repeatable).", valueName: "NAME"))
        var credentialSecrets: [String] = []

        @Flag(help: "Print the objects instead of applying them.")
        var dryRun = false

        @Option(name: .shortAndLong, help: "With --dry-run: yaml (a multi-document stream) or json (a v1 List).")
        var output: String?

        @Flag(help: "Take over fields another field manager set on these objects (as kubectl apply --server-side --force-conflicts).")
        var forceConflicts = false

        @Argument(parsing: .postTerminator, help: ArgumentHelp("After --: more arguments for renew (never credentials: use --env-from-secret).", valueName: "RENEW-ARGS"))
        var renewArguments: [String] = []

        static var defaultImage: String { "kubectl-certs:\(Release.version)" }

        func validate() throws {
            if let schedule {
                do {
                    _ = try CronSchedule(validating: schedule)
                } catch {
                    throw ValidationError("--schedule \"\(schedule)\": \(error.description); e.g. \"30 4,16 * * *\" (04:30 and 16:30) or @daily")
                }
            }
            if let image, image.isEmpty || image.contains(where: { $0.isWhitespace || $0.isNewline }) || image.hasPrefix("-") {
                throw ValidationError("--image \"\(image)\": expected an image reference such as registry.example.com/kubectl-certs:\(Release.version)")
            }
            if let shards, !(1...Install.maximumShards).contains(shards) {
                throw ValidationError("--shards \(shards): give a number of pods from 1 to \(Install.maximumShards)")
            }
            for name in credentialSecrets where !KubernetesNames.isSubdomain(name) {
                throw ValidationError("--env-from-secret \(name): not a Secret name (lower-case letters, digits, '-' and '.')")
            }
            if let output {
                guard ManifestPrinter.Format(rawValue: output) != nil else {
                    throw ValidationError("-o \(output): expected yaml or json")
                }
                guard dryRun else { throw ValidationError("-o prints the objects and needs --dry-run; without it install applies them") }
            }
            try Install.validateNamespace(global.namespace)
        }

        /// Kubernetes' own bound on an Indexed Job's completions.
        static let maximumShards = 100_000

        static func validateNamespace(_ namespace: String?) throws {
            if let namespace, !KubernetesNames.isLabel(namespace) {
                throw ValidationError("-n \(namespace): not a namespace name (at most 63 lower-case letters, digits and '-')")
            }
        }

        func run() async throws {
            if image == nil {
                FileHandle.standardError.write(Data("note: the image \(Install.defaultImage) is not published anywhere; build it from the Dockerfile, push it to a registry your cluster pulls from, and pass --image (README: Renewal in the cluster)\n".utf8))
            }
            let namespace = global.namespace ?? RenewalInstallation.defaultNamespace
            var installation = RenewalInstallation(
                namespace: namespace,
                ownsNamespace: namespace == RenewalInstallation.defaultNamespace,
                schedule: try schedule.map { try CronSchedule(validating: $0) } ?? .randomTwiceDaily(),
                image: image ?? Install.defaultImage,
                shards: shards,
                credentialSecrets: credentialSecrets,
                renewArguments: renewArguments
            )
            if dryRun {
                print(try ManifestPrinter.render(installation.objects, as: output.flatMap(ManifestPrinter.Format.init(rawValue:)) ?? .yaml), terminator: "")
                return
            }
            let context = CommandContext(global)
            let workflow = InstallWorkflow(client: try context.kubernetesClient(), forceConflicts: forceConflicts)
            installation = try await workflow.prepare(installation, scheduleGiven: schedule != nil)
            try await workflow.apply(installation) { line in print(line) }
        }
    }
}
