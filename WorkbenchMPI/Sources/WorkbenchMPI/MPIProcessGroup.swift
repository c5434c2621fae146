// The Open MPI process group: MPI_COMM_WORLD as a WorkbenchRun.ProcessGroup.
import CMPI
import WorkbenchRun

/// Every process started by `mpirun`; create one per process, before any other MPI use.
public final class MPIProcessGroup: ProcessGroup {
    public let rank: Int
    public let worldSize: Int
    let comm: MPI_Comm

    /// Calls `MPI_Init`. Only the main thread calls MPI afterwards (the training loop).
    public init() {
        MPI_Init(nil, nil)
        comm = cmpi_comm_world()
        var r: Int32 = 0, n: Int32 = 0
        MPI_Comm_rank(comm, &r)
        MPI_Comm_size(comm, &n)
        rank = Int(r)
        worldSize = Int(n)
    }

    /// `MPI_Allreduce(MPI_IN_PLACE, ..., MPI_SUM)`. Open MPI reduces each element once and sends
    /// the result to every rank, so all ranks hold the same bits (checked by workbench-mpi-check).
    public func allReduceSum(_ buffer: UnsafeMutableBufferPointer<Float>) {
        precondition(buffer.count <= Int(Int32.max), "allReduceSum: \(buffer.count) floats exceed one MPI call")
        if buffer.isEmpty { return }
        MPI_Allreduce(cmpi_in_place(), buffer.baseAddress, Int32(buffer.count), cmpi_float(), cmpi_sum(), comm)
    }

    public func broadcast(_ buffer: UnsafeMutableBufferPointer<Float>, root: Int) {
        precondition(buffer.count <= Int(Int32.max), "broadcast: \(buffer.count) floats exceed one MPI call")
        if buffer.isEmpty { return }
        MPI_Bcast(buffer.baseAddress, Int32(buffer.count), cmpi_float(), Int32(root), comm)
    }

    public func barrier() { MPI_Barrier(comm) }

    /// `MPI_Finalize`: every rank calls it once, last.
    public func finalize() { MPI_Finalize() }

    /// Ends every rank of the job (a rank that failed alone would leave the others waiting forever).
    public func abort(_ code: Int32) -> Never {
        MPI_Abort(comm, code)
        fatalError("MPI_Abort returned")
    }
}
