internal import CertCore
internal import Foundation

/// Reads one provider's settings from a `ProviderEnvironment`, collecting every problem so that
/// the user hears of all of them at once, each with where the value may come from.
///
/// An adapter asks for each of its variables (`required`, `optional`, `duration`, …), builds
/// itself from the answers, and calls `validate()` before using them.
public struct ProviderSettings: Sendable {
    public let entry: ProviderCatalog.Entry
    public let environment: ProviderEnvironment
    private var missing: [String] = []
    private var problems: [String] = []

    public init(entry: ProviderCatalog.Entry, environment: ProviderEnvironment) {
        self.entry = entry
        self.environment = environment
        for name in environment.supplied.keys.sorted() {
            if name.hasSuffix("_FILE") {
                problems.append("\(name) in \(suppliedBy) is refused: only the environment of whoever runs kubectl-certs may name a local file")
            } else if isLocalPath(name) {
                problems.append("\(name) in \(suppliedBy) is refused: it names a local file or program, which only the environment of whoever runs kubectl-certs may do")
            }
        }
    }

    private var suppliedBy: String { environment.suppliedBy ?? "the supplied credentials" }

    private func isLocalPath(_ name: String) -> Bool {
        entry.credentials.contains { $0.env == name && $0.localPath == true } || entry.settings.contains { $0.env == name && $0.localPath == true }
    }

    private func isSecret(_ name: String) -> Bool {
        entry.credentials.contains { $0.env == name && $0.secret }
    }

    /// A value and whether it may be repeated in an error message.
    private struct Found {
        var text: String
        var showable: Bool
    }

    private mutating func find(_ name: String) -> Found? {
        if let text = environment.supplied[name]?.trimmingCharacters(in: .whitespacesAndNewlines), !text.isEmpty {
            return isLocalPath(name) ? nil : Found(text: text, showable: !isSecret(name))
        }
        if let text = environment.local[name]?.trimmingCharacters(in: .whitespacesAndNewlines), !text.isEmpty {
            return Found(text: text, showable: !isSecret(name))
        }
        guard let path = environment.local[name + "_FILE"], !path.isEmpty else { return nil }
        guard let contents = FileManager.default.contents(atPath: path) else {
            problems.append("\(name)_FILE names \(path), which cannot be read")
            return nil
        }
        let text = String(decoding: contents, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard !text.isEmpty else {
            problems.append("\(name)_FILE names \(path), which is empty")
            return nil
        }
        // A file's contents are never repeated: it may hold anything.
        return Found(text: text, showable: false)
    }

    /// How a value is named in an error: with the value when that is safe to show.
    private func quote(_ name: String, _ found: Found) -> String {
        found.showable ? "\(name)=\(found.text)" : "\(name) (the value is not shown)"
    }

    /// A variable the provider cannot work without; reported as missing when absent.
    public mutating func required(_ name: String) -> String? {
        guard let found = find(name) else {
            missing.append(name)
            return nil
        }
        return found.text
    }

    /// A variable that may be absent.
    public mutating func optional(_ name: String) -> String? {
        find(name)?.text
    }

    /// A value parsed by `parse`, which returns nil or throws for a bad value; `expected` says
    /// what a good one looks like. A `required` one is reported as missing when absent.
    public mutating func parsed<T>(_ name: String, expected: String, required: Bool = false, _ parse: (String) throws -> T?) -> T? {
        guard let found = find(name) else {
            if required { missing.append(name) }
            return nil
        }
        if let value = try? parse(found.text) { return value }
        problems.append("\(quote(name, found)) is not \(expected)")
        return nil
    }

    /// A positive duration: seconds, or Go's form such as 90s, 5m.
    public mutating func duration(_ name: String) -> Duration? {
        parsed(name, expected: "a positive duration (write seconds, or e.g. 90s, 5m)") { text in
            let value = try Duration(parsing: text)
            return value > .zero ? value : nil
        }
    }

    /// A whole number within `range`.
    public mutating func integer(_ name: String, in range: ClosedRange<Int>) -> Int? {
        parsed(name, expected: "a whole number from \(range.lowerBound) to \(range.upperBound)") { text in
            Int(text).flatMap { range.contains($0) ? $0 : nil }
        }
    }

    /// One of `choices` (compared without regard to case).
    public mutating func choice(_ name: String, among choices: [String]) -> String? {
        parsed(name, expected: "one of \(choices.joined(separator: ", "))") { text in
            choices.first { $0.caseInsensitiveCompare(text) == .orderedSame }
        }
    }

    /// A problem the adapter found itself (e.g. two variables that only make sense together).
    public mutating func problem(_ text: String) {
        problems.append(text)
    }

    /// A missing variable the adapter found itself, e.g. "RFC2136_TSIG_SECRET (RFC2136_TSIG_KEY is set)".
    public mutating func missing(_ text: String) {
        missing.append(text)
    }

    /// The TTL, propagation timeout and polling interval: `<prefix>_TTL` and friends, or
    /// plugins.json's defaults.
    public mutating func tuning() -> ProviderTuning {
        let prefix = entry.envPrefix
        let defaults = entry.defaults
        return ProviderTuning(
            ttl: integer("\(prefix)_TTL", in: 1...604_800) ?? defaults.ttl,
            propagationTimeout: duration("\(prefix)_PROPAGATION_TIMEOUT") ?? defaults.propagationTimeout,
            pollingInterval: duration("\(prefix)_POLLING_INTERVAL") ?? defaults.pollingInterval
        )
    }

    /// Throws one `ProviderError` listing everything missing and everything malformed.
    public func validate() throws(ProviderError) {
        var lines = problems
        if !missing.isEmpty {
            var sources = "each from the environment, or as NAME_FILE naming a file that holds it"
            if let by = environment.suppliedBy { sources += ", or a key of \(by)" }
            lines.insert("missing \(missing.joined(separator: ", ")) (\(sources))", at: 0)
        }
        guard lines.isEmpty else {
            throw ProviderError(.configuration, provider: entry.code, lines.joined(separator: "; "))
        }
    }
}

/// How a provider's records are published and checked: plugins.json's defaults, overridden by
/// the provider's own variables.
public struct ProviderTuning: Sendable, Hashable {
    /// TTL of the TXT record, in seconds.
    public var ttl: Int
    public var propagationTimeout: Duration
    /// The longest pause between two propagation checks of one nameserver.
    public var pollingInterval: Duration

    public init(ttl: Int, propagationTimeout: Duration, pollingInterval: Duration) {
        self.ttl = ttl
        self.propagationTimeout = propagationTimeout
        self.pollingInterval = pollingInterval
    }
}
