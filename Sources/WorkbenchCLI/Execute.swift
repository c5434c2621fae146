// Running the command line without exiting the process, for executables that must shut down
// cleanly afterwards (workbench-mpi calls MPI_Finalize on every rank).
import ArgumentParser
import Foundation
import WorkbenchRun

extension Workbench {
    /// Parses `arguments` (without the program name), runs the command and returns its exit code.
    public static func execute(_ arguments: [String]) -> Int32 {
        // Answered here rather than by the parser's `version:`, which would ask git on every command.
        if arguments == ["--version"] {
            print(Machine.version)
            return 0
        }
        do {
            var command = try parseAsRoot(arguments)
            try command.run()
            return 0
        } catch {
            let code = exitCode(for: error).rawValue
            let message = fullMessage(for: error)
            if !message.isEmpty {
                if code == 0 { print(message) } else { FileHandle.standardError.write(Data((message + "\n").utf8)) }
            }
            return code
        }
    }
}
