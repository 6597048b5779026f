/// coordination.k8s.io/v1 Lease: a lock that renewals running as CronJobs share.
public struct Lease: TypedObject {
    public static let resourceType = ResourceType.leases
    public var object: KubernetesObject

    public init(object: KubernetesObject) {
        self.object = object
    }

    public var holderIdentity: String? {
        get { object[["spec", "holderIdentity"]]?.stringValue }
        set { object[["spec", "holderIdentity"]] = newValue.map(JSONValue.string) }
    }

    public var leaseDurationSeconds: Int? {
        get { object[["spec", "leaseDurationSeconds"]]?.intValue }
        set { object[["spec", "leaseDurationSeconds"]] = newValue.map { .number(Double($0)) } }
    }

    /// RFC 3339 with microseconds, as the API server writes MicroTime.
    public var renewTime: String? {
        get { object[["spec", "renewTime"]]?.stringValue }
        set { object[["spec", "renewTime"]] = newValue.map(JSONValue.string) }
    }
}
