/// What lego's RAW modes (exec, httpreq) pass for a challenge.
enum RawChallenge {
    /// The authorization's identifier: lego passes `example.com` for `*.example.com` too.
    static func domain(_ name: String) -> String {
        name.hasPrefix("*.") ? String(name.dropFirst(2)) : name
    }
}
