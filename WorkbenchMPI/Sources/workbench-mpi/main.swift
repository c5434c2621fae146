// workbench-mpi: the workbench command line in every process of an MPI job. Papers whose loop
// supports it (inception) train data-parallel: `mpirun -np 2 workbench-mpi run inception --preset quick`.
import Foundation
import WorkbenchCLI
import WorkbenchMPI
import WorkbenchRun

let world = MPIProcessGroup()
Distributed.defaultGroup = world
let environment = ProcessInfo.processInfo.environment
if world.rank == 0, world.worldSize > 1, environment["OPENBLAS_NUM_THREADS"] == nil,
   Int(environment["OMPI_COMM_WORLD_LOCAL_SIZE"] ?? "1") ?? 1 > 1 {
    FileHandle.standardError.write(Data(("warning: several ranks share this machine and OPENBLAS_NUM_THREADS is unset, so each "
        + "uses every core; pass `-x OPENBLAS_NUM_THREADS=1` (cores / ranks per machine) to mpirun\n").utf8))
}
let code = Workbench.execute(Array(CommandLine.arguments.dropFirst()))
if code != 0 && world.worldSize > 1 { world.abort(code) }
world.finalize()
exit(code)
