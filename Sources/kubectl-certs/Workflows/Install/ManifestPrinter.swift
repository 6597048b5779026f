import CertCore
import Foundation
import Yams

/// Objects as text that `kubectl apply -f -` takes: YAML as a multi-document stream (as
/// release manifests are written, one object per document, easy to read and keep in Git), JSON
/// as one `v1 List` (what `kubectl get -o json` prints for several objects).
enum ManifestPrinter {
    enum Format: String, CaseIterable {
        case yaml, json
    }

    static func render(_ objects: [KubernetesObject], as format: Format) throws -> String {
        switch format {
        case .yaml:
            let encoder = YAMLEncoder()
            encoder.options.sortKeys = true
            return try objects.map { "---\n" + (try encoder.encode($0.json)) }.joined()
        case .json:
            let list: JSONValue = ["apiVersion": "v1", "kind": "List", "metadata": [:], "items": .array(objects.map(\.json))]
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            return String(decoding: try encoder.encode(list), as: UTF8.self) + "\n"
        }
    }
}
