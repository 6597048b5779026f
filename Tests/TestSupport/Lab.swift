public import Foundation

/// Where the tests find the servers `scripts/lab` started.
///
/// `scripts/lab up` writes `export NAME=value` lines to `.lab/env` at the repository root (and
/// `scripts/lab env` prints them); the process environment overrides the file. A test that
/// needs a server asks for its settings here and fails — never skips — when it is not up.
public enum Lab {
    public struct NotRunning: Error, CustomStringConvertible {
        public var component: String
        public var variable: String
        public init(component: String, variable: String) {
            self.component = component
            self.variable = variable
        }
        public var description: String {
            "lab component '\(component)' is not up (\(variable) is not set): run `scripts/lab up \(component)` first"
        }
    }

    /// The repository's root, found from this file's place in it.
    public static let repositoryRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent()   // TestSupport
        .deletingLastPathComponent()   // Tests
        .deletingLastPathComponent()

    /// The lab's state directory (`LAB_DIR`, by default `.lab` at the repository root).
    public static var directory: URL {
        if let dir = ProcessInfo.processInfo.environment["LAB_DIR"] {
            return URL(fileURLWithPath: dir)
        }
        return repositoryRoot.appendingPathComponent(".lab")
    }

    /// The settings the lab published, merged with (and overridden by) the environment.
    public static var settings: [String: String] {
        var values = parseExports((try? String(contentsOf: directory.appendingPathComponent("env"), encoding: .utf8)) ?? "")
        for (key, value) in ProcessInfo.processInfo.environment {
            values[key] = value
        }
        return values
    }

    /// One setting of one component; throws `NotRunning` naming the component when absent.
    public static func require(_ variable: String, component: String) throws -> String {
        guard let value = settings[variable], !value.isEmpty else {
            throw NotRunning(component: component, variable: variable)
        }
        return value
    }

    /// Parses `export NAME=value` lines, with the value optionally in single quotes.
    static func parseExports(_ text: String) -> [String: String] {
        var values: [String: String] = [:]
        for line in text.split(separator: "\n") {
            var line = line.trimmingCharacters(in: .whitespaces)
            guard line.hasPrefix("export ") else { continue }
            line.removeFirst("export ".count)
            guard let equals = line.firstIndex(of: "=") else { continue }
            let name = String(line[..<equals])
            var value = String(line[line.index(after: equals)...])
            if value.count >= 2, value.hasPrefix("'"), value.hasSuffix("'") {
                value = String(value.dropFirst().dropLast()).replacingOccurrences(of: "'\\''", with: "'")
            }
            values[name] = value
        }
        return values
    }
}

extension Lab {
    /// The lab's data plane (`scripts/lab up ingress`): its ingress controller's address, port and
    /// class, and the domain whose every name resolves to that address through the lab's resolvers.
    public struct IngressSettings: Sendable {
        public var address: String
        public var port: Int
        public var ingressClass: String
        public var domain: String

        public init() throws {
            address = try Lab.require("LAB_INGRESS_ADDRESS", component: "ingress")
            let portText = try Lab.require("LAB_INGRESS_PORT", component: "ingress")
            guard let port = Int(portText) else {
                throw NotRunning(component: "ingress", variable: "LAB_INGRESS_PORT (not a number: \(portText))")
            }
            self.port = port
            ingressClass = try Lab.require("LAB_INGRESS_CLASS", component: "ingress")
            domain = try Lab.require("LAB_INGRESS_DOMAIN", component: "ingress")
        }
    }
}
