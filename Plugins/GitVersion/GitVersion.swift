import Foundation
import PackagePlugin

/// Gives the target it is applied to `GitDescribe.version`, the version `git describe` says for
/// the checkout being built; git-version.sh, next to this file, says how.
///
/// A prebuild command runs on every build; the script rewrites its file only when the text
/// changes, so an unchanged checkout recompiles nothing.
@main
struct GitVersion: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: any Target) throws -> [Command] {
        let package = context.package.directoryURL
        let outputDirectory = context.pluginWorkDirectoryURL.appending(path: "GitVersion")
        return [
            .prebuildCommand(
                displayName: "Reading the version from git describe",
                executable: URL(filePath: "/bin/sh"),
                arguments: [
                    package.appending(path: "Plugins/GitVersion/git-version.sh").path(percentEncoded: false),
                    package.path(percentEncoded: false),
                    outputDirectory.appending(path: "GitDescribe.swift").path(percentEncoded: false),
                ],
                outputFilesDirectory: outputDirectory
            )
        ]
    }
}
