// The `workbench` executable; the commands live in WorkbenchCLI (shared with workbench-mpi).
import WorkbenchCLI

Workbench.main()
