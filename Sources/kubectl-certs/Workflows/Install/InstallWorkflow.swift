import CertCore

/// Applies an installation with server-side apply, object by object, as
/// `kubectl apply --server-side` does, so a second install changes only what differs.
struct InstallWorkflow {
    static let fieldManager = "kubectl-certs"

    var client: KubernetesClient
    /// Take over fields another manager set (e.g. a schedule changed with `kubectl edit`).
    var forceConflicts = false

    /// Settles what depends on the cluster: whether the namespace is there and whose it is,
    /// and — when no schedule was given — the schedule of an earlier install, which is kept
    /// so that installing again changes nothing.
    func prepare(_ installation: RenewalInstallation, scheduleGiven: Bool) async throws -> RenewalInstallation {
        var installation = installation
        let existing = try await client.getIfPresent(.namespaces, name: installation.namespace)
        if let existing {
            // A namespace someone else made is theirs, even with the default name.
            installation.ownsNamespace = installation.ownsNamespace && isOurs(existing, in: installation.namespace)
        } else if !installation.ownsNamespace {
            throw CommandFailure(message: "namespace \"\(installation.namespace)\" not found: create it first (kubectl create namespace \(installation.namespace)), or leave out -n to install into \(RenewalInstallation.defaultNamespace)")
        }
        if !scheduleGiven, existing != nil, let schedule = try await installedSchedule(in: installation.namespace) {
            installation.schedule = schedule
        }
        return installation
    }

    /// The schedule of the CronJob an earlier install made, if there is one.
    private func installedSchedule(in namespace: String) async throws -> CronSchedule? {
        guard let cronJob = try await client.getIfPresent(.cronJobs, name: RenewalInstallation.name, namespace: namespace),
              isOurs(cronJob, in: namespace),
              let text = cronJob[["spec", "schedule"]]?.stringValue else { return nil }
        return try? CronSchedule(validating: text)
    }

    /// Applies every object in order; `applied` hears kubectl's line for each as it lands.
    func apply(_ installation: RenewalInstallation, applied: (String) -> Void) async throws {
        for object in installation.objects {
            do {
                _ = try await client.apply(object, fieldManager: Self.fieldManager, force: forceConflicts)
            } catch {
                guard error.kind == .conflict else { throw error }
                throw CommandFailure(message: "\(error.message)\nAnother manager owns these fields of \(KubernetesNames.kind(of: object))/\(object.name); rerun with --force-conflicts to set them as install does")
            }
            applied("\(KubernetesNames.kind(of: object))/\(object.name) serverside-applied")
        }
    }

    private func isOurs(_ object: KubernetesObject, in namespace: String) -> Bool {
        let wanted = RenewalInstallation.selectorLabels(namespace: namespace)
        return wanted.allSatisfy { object.labels[$0.key] == $0.value }
    }
}
