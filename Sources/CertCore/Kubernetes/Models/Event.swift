public import Foundation

/// A pointer to an object, as Events (`regarding`, `related`) and owner references hold one.
public struct ObjectReference: Sendable, Equatable {
    public var apiVersion: String
    public var kind: String
    public var name: String
    public var namespace: String?
    public var uid: String?

    public init(apiVersion: String, kind: String, name: String, namespace: String?, uid: String?) {
        self.apiVersion = apiVersion
        self.kind = kind
        self.name = name
        self.namespace = namespace
        self.uid = uid
    }

    /// The object as stored: kind, version and uid from its own JSON.
    public init(_ object: KubernetesObject) {
        self.init(apiVersion: object.apiVersion ?? "v1", kind: object.kind ?? "", name: object.name, namespace: object.namespace, uid: object.uid)
    }

    var json: JSONValue {
        var value: JSONValue = ["apiVersion": .string(apiVersion), "kind": .string(kind), "name": .string(name)]
        if let namespace { value["namespace"] = .string(namespace) }
        if let uid { value["uid"] = .string(uid) }
        return value
    }
}

/// events.k8s.io/v1 Event: what `kubectl describe` lists under Events for the object it regards.
public struct Event: TypedObject {
    public static let resourceType = ResourceType.events
    public var object: KubernetesObject

    public init(object: KubernetesObject) {
        self.object = object
    }

    public enum Severity: String, Sendable {
        case normal = "Normal", warning = "Warning"
    }

    /// A new Event about `regarding`, named as client-go names them (object name and time).
    public init(regarding: ObjectReference, related: ObjectReference? = nil, severity: Severity, reason: String, action: String, note: String,
                reportingController: String, reportingInstance: String, at time: Date = Date()) {
        let stamp = String(UInt64(time.timeIntervalSince1970 * 1_000_000_000), radix: 16) + String(UInt32.random(in: 0...UInt32.max) & 0xfff, radix: 16)
        self.init(object: KubernetesObject(.events, name: "\(regarding.name).\(stamp)", namespace: regarding.namespace ?? "default"))
        object[["regarding"]] = regarding.json
        object[["related"]] = related?.json
        object[["type"]] = .string(severity.rawValue)
        object[["reason"]] = .string(reason)
        object[["action"]] = .string(action)
        // The API server refuses notes over 1 kB.
        object[["note"]] = .string(Self.clipped(note, bytes: 1024))
        object[["eventTime"]] = .string(RFC3339.microTime(time))
        object[["reportingController"]] = .string(reportingController)
        object[["reportingInstance"]] = .string(String(reportingInstance.prefix(128)))
    }

    /// The longest prefix of whole characters within `bytes` UTF-8 bytes.
    static func clipped(_ text: String, bytes: Int) -> String {
        var result = ""
        var used = 0
        for character in text {
            used += character.utf8.count
            if used > bytes { break }
            result.append(character)
        }
        return result
    }

    public var reason: String? { object[["reason"]]?.stringValue }
    public var note: String? { object[["note"]]?.stringValue }
    public var type: String? { object[["type"]]?.stringValue }
    public var regardingName: String? { object[["regarding", "name"]]?.stringValue }
    public var regardingKind: String? { object[["regarding", "kind"]]?.stringValue }
}
