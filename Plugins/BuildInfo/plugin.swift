// Records the source commit in the build: before each build, writes BuildInfo.swift (the commit of
// the package's checkout, `-dirty` with local changes, "unknown" outside a git checkout) into
// WorkbenchRun, rewriting it only when the commit changed so that an unchanged tree rebuilds nothing.
import Foundation
import PackagePlugin

@main struct BuildInfo: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: Target) throws -> [Command] {
        let output = context.pluginWorkDirectoryURL.appending(path: "generated")
        let script = #"""
            src="$1"; out="$2"; mkdir -p "$out"
            commit=$(git -C "$src" rev-parse --short=12 HEAD 2>/dev/null) || commit=unknown
            if [ "$commit" != unknown ] && [ -n "$(git -C "$src" status --porcelain --untracked-files=no 2>/dev/null)" ]; then
              commit="$commit-dirty"
            fi
            text="// Generated before each build by Plugins/BuildInfo: the commit this binary was built from.
            let buildCommit = \"$commit\""
            [ "$(cat "$out/BuildInfo.swift" 2>/dev/null)" = "$text" ] || printf '%s\n' "$text" > "$out/BuildInfo.swift"
            """#
        return [.prebuildCommand(displayName: "BuildInfo: recording the source commit",
                                 executable: URL(fileURLWithPath: "/bin/sh"),
                                 arguments: ["-c", script, "sh", context.package.directoryURL.path, output.path],
                                 outputFilesDirectory: output)]
    }
}
