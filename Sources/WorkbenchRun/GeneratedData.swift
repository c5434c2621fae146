// Where data a paper generates once and reuses is kept (seq2seq's corpus, AlphaGo Zero's solved
// test positions).
import Foundation

public enum GeneratedData {
    /// `$WORKBENCH_DATA/generated` if that variable is set, else `$XDG_CACHE_HOME/workbench/generated`,
    /// else `~/.cache/workbench/generated`.
    public static func root(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        func nonEmpty(_ key: String) -> String? { environment[key].flatMap { $0.isEmpty ? nil : $0 } }
        if let data = nonEmpty("WORKBENCH_DATA") { return data + "/generated" }
        if let cache = nonEmpty("XDG_CACHE_HOME") { return cache + "/workbench/generated" }
        let home = nonEmpty("HOME") ?? FileManager.default.homeDirectoryForCurrentUser.path
        return home + "/.cache/workbench/generated"
    }
}
