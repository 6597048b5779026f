/// Where a provider's variables come from.
///
/// `local` is the environment of whoever runs the tool: a variable may be given as `NAME`, or
/// as `NAME_FILE` naming a file that holds the value. `supplied` comes from somewhere a
/// namespace user controls — a `--dns-credentials` Secret or a cert-manager issuer's solver —
/// and wins over `local`; it may never make the tool read a local file, so it gives `NAME`
/// only, and never a setting that names a local path.
public struct ProviderEnvironment: Sendable {
    public var local: [String: String]
    public var supplied: [String: String]
    /// Where `supplied` came from, in words ("Secret team-a/dns-credentials").
    public var suppliedBy: String?

    public init(local: [String: String] = [:], supplied: [String: String] = [:], suppliedBy: String? = nil) {
        self.local = local
        self.supplied = supplied
        self.suppliedBy = suppliedBy
    }
}
