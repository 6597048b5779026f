/// This build's release, as `kubectl certs version` and `--version` report it.
enum Release {
    static let version = "0.1.0-dev"
}
