// swift-tools-version: 6.1
import PackageDescription

/// Paper modules: `Sources/<Name>/` with tests in `Tests/<Name>Tests/`. Adding a paper adds one
/// name here (`workbench new` does it); the targets below are generated from this list.
let papers: [String] = [
    "AlphaGoZero",
    "DCGAN",
    "DQN",
    "Inception",
    "LeNet",
    "Seq2Seq",
]

let libraries: [Target.Dependency] = ["WorkbenchCore", "WorkbenchNN", "WorkbenchData", "WorkbenchRun"]

let package = Package(
    name: "Workbench",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "workbench", targets: ["workbench"]),
        .executable(name: "workbench-bench", targets: ["workbench-bench"]),
        .library(name: "WorkbenchCore", targets: ["WorkbenchCore"]),
        .library(name: "WorkbenchNN", targets: ["WorkbenchNN"]),
        // For the optional WorkbenchMPI/ package (workbench-mpi), which adds Open MPI on top of these.
        .library(name: "WorkbenchRun", targets: ["WorkbenchRun"]),
        .library(name: "WorkbenchCLI", targets: ["WorkbenchCLI"]),
        .library(name: "Inception", targets: ["Inception"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-protobuf", from: "1.39.0"),
    ],
    targets: [
        // System libraries, found through pkg-config; `make deps` installs them on Debian.
        .systemLibrary(name: "CBLAS", path: "Sources/CBLAS", pkgConfig: "openblas",
                       providers: [.apt(["libopenblas-dev"])]),
        .systemLibrary(name: "CPNG", path: "Sources/CPNG", pkgConfig: "libpng",
                       providers: [.apt(["libpng-dev"])]),
        .systemLibrary(name: "CZlib", path: "Sources/CZlib", pkgConfig: "zlib",
                       providers: [.apt(["zlib1g-dev"])]),
        // Convolutions on oneDNN (Debian's libdnnl-dev, which `make deps` installs) behind a few C
        // functions: primitive cache and layout reorders. oneDNN ships no pkg-config file; its header
        // is in /usr/include and the target links -ldnnl.
        .target(name: "WorkbenchDNNL", linkerSettings: [.linkedLibrary("dnnl")]),

        .target(name: "WorkbenchCore", dependencies: ["CBLAS", "WorkbenchDNNL"]),
        .target(name: "WorkbenchNN", dependencies: ["WorkbenchCore"]),
        .target(name: "WorkbenchData", dependencies: ["WorkbenchCore", "CPNG", "CZlib"]),
        .target(name: "WorkbenchRun", dependencies: ["WorkbenchCore", "WorkbenchNN", "WorkbenchData",
                                                   .product(name: "SwiftProtobuf", package: "swift-protobuf")],
                exclude: ["TensorBoard/tensorboard_event.proto"], plugins: ["BuildInfo"]),
        // Writes the source commit into WorkbenchRun before each build (`workbench --version`, config.json).
        .plugin(name: "BuildInfo", capability: .buildTool()),
        .target(name: "WorkbenchTesting", dependencies: ["WorkbenchCore", "WorkbenchData", "WorkbenchRun"]),
        .target(name: "WorkbenchCLI", dependencies: libraries + papers.map { .target(name: $0) } + [
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        .executableTarget(name: "workbench", dependencies: ["WorkbenchCLI"]),
        .executableTarget(name: "workbench-bench", dependencies: ["WorkbenchCore", "WorkbenchNN", "WorkbenchRun", "CBLAS", "Inception", "DCGAN"],
                          path: "Benchmarks/Sources"),

        .testTarget(name: "WorkbenchCoreTests", dependencies: ["WorkbenchCore", "WorkbenchTesting"]),
        .testTarget(name: "WorkbenchNNTests", dependencies: ["WorkbenchNN", "WorkbenchTesting"]),
        .testTarget(name: "WorkbenchDataTests", dependencies: ["WorkbenchData", "WorkbenchTesting"]),
        .testTarget(name: "WorkbenchRunTests", dependencies: ["WorkbenchRun", "WorkbenchData", "WorkbenchTesting"]),
    ] + papers.flatMap { name -> [Target] in [
        .target(name: name, dependencies: libraries),
        .testTarget(name: name + "Tests", dependencies: [.target(name: name), "WorkbenchTesting"] + libraries),
    ] },
    swiftLanguageModes: [.v6]
)
