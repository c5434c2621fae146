// swift-tools-version: 6.1
// workbench-mpi: the workbench command line with synchronous data-parallel training over Open MPI.
// A separate package so that the root package builds and tests on machines without MPI;
// `make mpi` (or `make test-mpi`) installs Open MPI on Debian and builds it.
import PackageDescription

let package = Package(
    name: "WorkbenchMPI",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "workbench-mpi", targets: ["workbench-mpi"]),
        .executable(name: "workbench-mpi-check", targets: ["workbench-mpi-check"]),
    ],
    dependencies: [
        .package(name: "Workbench", path: ".."),
    ],
    targets: [
        // Open MPI's C API, found through pkg-config (Debian: libopenmpi-dev ships ompi-c.pc).
        .systemLibrary(name: "CMPI", pkgConfig: "ompi-c", providers: [.apt(["libopenmpi-dev"])]),
        .target(name: "WorkbenchMPI", dependencies: [
            "CMPI", .product(name: "WorkbenchRun", package: "Workbench"),
        ]),
        .executableTarget(name: "workbench-mpi", dependencies: [
            "WorkbenchMPI", .product(name: "WorkbenchCLI", package: "Workbench"),
            .product(name: "WorkbenchRun", package: "Workbench"),
        ]),
        // The 2-rank tests, run under mpirun by `make test-mpi` (Swift Testing runs one process).
        .executableTarget(name: "workbench-mpi-check", dependencies: [
            "WorkbenchMPI", .product(name: "WorkbenchRun", package: "Workbench"),
            .product(name: "WorkbenchNN", package: "Workbench"), .product(name: "WorkbenchCore", package: "Workbench"),
            .product(name: "Inception", package: "Workbench"),
        ]),
    ],
    swiftLanguageModes: [.v6]
)
