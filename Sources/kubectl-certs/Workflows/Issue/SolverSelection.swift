import CertCore

/// Chooses a cert-manager ACME solver for a name by cert-manager's rules: a selector listing
/// the name in `dnsNames` wins over one whose `dnsZones` contain it (the longest zone first),
/// which wins over one without names or zones; `matchLabels` must all match the
/// Certificate's labels; among equals, the one with more matching labels, then the first. A
/// wildcard can be proven by DNS-01 only, so only dns01 solvers are considered for one.
/// Answers the chosen solver's place in the list, which identifies it.
enum SolverSelection {
    static func choose(for domain: String, among solvers: [JSONValue], labels: [String: String]) -> Int? {
        let name = domain.lowercased()
        let bare = name.hasPrefix("*.") ? String(name.dropFirst(2)) : name
        var best: (index: Int, rank: (Int, Int, Int))?
        for (index, solver) in solvers.enumerated() {
            if name.hasPrefix("*."), solver["dns01"] == nil { continue }
            let selector = solver["selector"]
            let matchLabels = (selector?["matchLabels"]?.objectValue ?? [:]).compactMapValues(\.stringValue)
            guard matchLabels.allSatisfy({ labels[$0.key] == $0.value }) else { continue }
            let dnsNames = (selector?["dnsNames"]?.arrayValue ?? []).compactMap(\.stringValue).map { $0.lowercased() }
            let dnsZones = (selector?["dnsZones"]?.arrayValue ?? []).compactMap(\.stringValue).map { $0.lowercased() }
            var rank: (Int, Int, Int)
            if !dnsNames.isEmpty {
                guard dnsNames.contains(name) else { continue }
                rank = (2, 0, matchLabels.count)
            } else if !dnsZones.isEmpty {
                let zones = dnsZones.filter { bare == $0 || bare.hasSuffix("." + $0) }
                guard let longest = zones.map(\.count).max() else { continue }
                rank = (1, longest, matchLabels.count)
            } else {
                rank = (0, 0, matchLabels.count)
            }
            if best == nil || rank > best!.rank { best = (index, rank) }
        }
        return best?.index
    }
}
