/// The `-o` formats each command accepts, from the types that parse them.
enum OutputFormats {
    static func names(for path: [String]) -> [String] {
        switch path {
        case ["status"]: return StatusRenderer.Format.allCases.map(\.rawValue)
        case ["renew"]: return RenewalReport.Format.allCases.map(\.rawValue)
        case ["install"]: return ManifestPrinter.Format.allCases.map(\.rawValue)
        case ["providers", "list"]: return KubectlCerts.Providers.List.formats
        default: return []
        }
    }
}
