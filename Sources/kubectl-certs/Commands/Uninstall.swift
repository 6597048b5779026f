import ArgumentParser
import CertCore
import Foundation

extension KubectlCerts {
    struct Uninstall: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Remove what `kubectl certs install` set up in a namespace.",
            discussion: """
            Deletes, by the labels install put on them, the CronJob (and with it its Jobs and \
            pods), the ClusterRoleBinding, the ClusterRole and the ServiceAccount of the \
            installation in the namespace (-n, default \(RenewalInstallation.defaultNamespace)), then \
            the namespace itself when install created it and it holds no Secret of anyone else's. \
            Certificates, their Secrets and anything else are left as they are.

            Examples:
              # Remove the renewal installed in the default namespace
              kubectl certs uninstall

              # Remove the one installed with -n platform
              kubectl certs uninstall -n platform
            """
        )

        @OptionGroup var global: GlobalOptions

        func validate() throws {
            try Install.validateNamespace(global.namespace)
        }

        func run() async throws {
            let context = CommandContext(global)
            let namespace = global.namespace ?? RenewalInstallation.defaultNamespace
            let outcome = try await UninstallWorkflow(client: try context.kubernetesClient()).run(namespace: namespace) { line in print(line) }
            for note in outcome.notes {
                FileHandle.standardError.write(Data("note: \(note)\n".utf8))
            }
            if outcome.deleted.isEmpty && outcome.notes.isEmpty {
                FileHandle.standardError.write(Data("No resources found: kubectl-certs renewal is not installed in namespace \(namespace)\n".utf8))
            }
        }
    }
}
