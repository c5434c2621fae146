// The `workbench` executable; the commands live in WorkbenchCLI (shared with workbench-mpi).
import Foundation
import WorkbenchCLI

exit(Workbench.execute(Array(CommandLine.arguments.dropFirst())))
