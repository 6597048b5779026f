/// This build's release, as `kubectl certs version` and `--version` report it: `git describe`
/// of the checkout it was built from, written into the build by Plugins/GitVersion.
enum Release {
    static let version = GitDescribe.version
}
