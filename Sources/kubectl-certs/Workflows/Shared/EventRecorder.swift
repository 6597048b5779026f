import CertCore
import Foundation
import Synchronization

/// Records Kubernetes Events (events.k8s.io/v1) about a certificate on its Secret and on the
/// Ingress or cert-manager Certificate it serves, so that `kubectl describe` shows what
/// happened. An Event that cannot be recorded (e.g. RBAC refuses it) is reported once and
/// never fails the work it tells of.
final class EventRecorder: Sendable {
    static let controller = "kubectl-certs"

    private let client: KubernetesClient
    private let progress: ProgressDisplay
    private let instance: String
    private let warned = Mutex(false)

    init(client: KubernetesClient, progress: ProgressDisplay, instance: String = ProcessInfo.processInfo.hostName) {
        self.client = client
        self.progress = progress
        self.instance = instance
    }

    enum Reason: String {
        case issued = "Issued"
        case renewed = "Renewed"
        case renewalFailed = "RenewalFailed"

        var action: String { self == .issued ? "Issue" : "Renew" }
        var severity: Event.Severity { self == .renewalFailed ? .warning : .normal }
    }

    /// One Event on the Secret (when it exists) and one on what it serves, related to the Secret.
    func record(_ reason: Reason, _ note: String, secret: ObjectReference?, servedBy: ObjectReference?) async {
        for (regarding, related) in [(secret, nil), (servedBy, secret)] {
            guard let regarding else { continue }
            let event = Event(regarding: regarding, related: related, severity: reason.severity, reason: reason.rawValue, action: reason.action,
                              note: note, reportingController: Self.controller, reportingInstance: instance)
            do {
                _ = try await client.create(event.object)
            } catch {
                if warned.withLock({ done in defer { done = true }; return !done }) {
                    progress.note("could not record Kubernetes Events (\(CommandFailure(error).message)); the work itself is not affected")
                }
            }
        }
    }
}
