public import Foundation

/// Any Kubernetes object, kept as the JSON the server sent so that a read-modify-write
/// never drops fields this program does not know. Typed models wrap one of these.
public struct KubernetesObject: Sendable, Equatable {
    public var json: JSONValue

    public init(json: JSONValue) {
        self.json = json
    }

    public init(_ type: ResourceType, name: String, namespace: String? = nil) {
        var metadata: JSONValue = ["name": .string(name)]
        if let namespace, type.namespaced { metadata["namespace"] = .string(namespace) }
        json = ["apiVersion": .string(type.apiVersion), "kind": .string(type.kind), "metadata": metadata]
    }

    public var kind: String? { json["kind"]?.stringValue }
    public var apiVersion: String? { json["apiVersion"]?.stringValue }

    public var name: String {
        get { json["metadata"]?["name"]?.stringValue ?? "" }
        set { json["metadata", default: [:]]["name"] = .string(newValue) }
    }

    public var namespace: String? {
        get { json["metadata"]?["namespace"]?.stringValue }
        set { json["metadata", default: [:]]["namespace"] = newValue.map(JSONValue.string) }
    }

    public var uid: String? { json["metadata"]?["uid"]?.stringValue }

    public var resourceVersion: String? {
        get { json["metadata"]?["resourceVersion"]?.stringValue }
        set { json["metadata", default: [:]]["resourceVersion"] = newValue.map(JSONValue.string) }
    }

    public var creationTimestamp: Date? {
        json["metadata"]?["creationTimestamp"]?.stringValue.flatMap(RFC3339.parse)
    }

    public var labels: [String: String] {
        get { Self.strings(json["metadata"]?["labels"]) }
        set { json["metadata", default: [:]]["labels"] = Self.object(newValue) }
    }

    public var annotations: [String: String] {
        get { Self.strings(json["metadata"]?["annotations"]) }
        set { json["metadata", default: [:]]["annotations"] = Self.object(newValue) }
    }

    /// The value at a path of object keys, e.g. `["spec", "secretName"]`.
    public subscript(path: [String]) -> JSONValue? {
        get {
            var value: JSONValue? = json
            for key in path { value = value?[key] }
            return value
        }
        set { Self.set(&json, path[...], newValue) }
    }

    private static func set(_ value: inout JSONValue, _ path: ArraySlice<String>, _ newValue: JSONValue?) {
        guard let key = path.first else { return }
        if path.count == 1 {
            value[key] = newValue
        } else {
            var child = value[key] ?? [:]
            set(&child, path.dropFirst(), newValue)
            value[key] = child
        }
    }

    static func strings(_ value: JSONValue?) -> [String: String] {
        (value?.objectValue ?? [:]).compactMapValues(\.stringValue)
    }

    static func object(_ strings: [String: String]) -> JSONValue? {
        strings.isEmpty ? nil : .object(strings.mapValues(JSONValue.string))
    }
}

extension JSONValue {
    /// The member `key`, created with `defaultValue` on write when absent.
    subscript(key: String, default defaultValue: JSONValue) -> JSONValue {
        get { self[key] ?? defaultValue }
        set { self[key] = newValue }
    }
}
