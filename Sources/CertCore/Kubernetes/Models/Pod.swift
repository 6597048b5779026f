/// core/v1 Pod: what the plugin reads of its own solver Pods' status.
public struct Pod: TypedObject {
    public static let resourceType = ResourceType.pods
    public var object: KubernetesObject

    public init(object: KubernetesObject) {
        self.object = object
    }

    /// `Pending`, `Running`, `Succeeded`, `Failed` or `Unknown`; nil before the kubelet reports.
    public var phase: String? { object[["status", "phase"]]?.stringValue }

    /// Why a container is not running, as the kubelet reports it: `ErrImagePull`,
    /// `CrashLoopBackOff`, … with its message.
    public struct Waiting: Sendable, Equatable {
        public var container: String
        public var reason: String
        public var message: String?

        public init(container: String, reason: String, message: String? = nil) {
            self.container = container
            self.reason = reason
            self.message = message
        }
    }

    /// Each container that waits, with its reason.
    public var waiting: [Waiting] {
        (object[["status", "containerStatuses"]]?.arrayValue ?? []).compactMap { status in
            guard let reason = status["state"]?["waiting"]?["reason"]?.stringValue else { return nil }
            return Waiting(container: status["name"]?.stringValue ?? "", reason: reason, message: status["state"]?["waiting"]?["message"]?.stringValue)
        }
    }

    /// The scheduler's or kubelet's conditions (`PodScheduled` False with `Unschedulable`, …).
    public var conditions: [ObjectCondition] { ObjectCondition.list(object[["status", "conditions"]]) }
}
