// swift-tools-version: 6.1
import PackageDescription

let package = Package(
    name: "Subcast",
    products: [
        .executable(name: "subcast", targets: ["subcast"]),
        .library(name: "SubcastCore", targets: ["SubcastCore"]),
        .library(name: "SubcastIO", targets: ["SubcastIO"]),
        .library(name: "SubcastStochastics", targets: ["SubcastStochastics"]),
    ],
    traits: [
        // `swift build --traits MPI`: `mpirun -np N subcast run ...` splits the trials across
        // ranks (Open MPI via pkg-config `ompi-c`). Off by default; the default build needs no MPI.
        .trait(name: "MPI", description: "Split `subcast run` across MPI ranks (needs Open MPI: libopenmpi-dev)."),
        .default(enabledTraits: []),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.0.0"),
        // `swift package --disable-sandbox generate-documentation --target SubcastCore` (DocC
        // catalog: Sources/SubcastCore/SubcastCore.docc).
        .package(url: "https://github.com/swiftlang/swift-docc-plugin", from: "1.5.0"),
        // Property-based tests (random values for every numeric scenario key); tests only.
        .package(url: "https://github.com/x-sheep/swift-property-based", from: "2.0.0"),
    ],
    targets: [
        // GSL through pkg-config; nothing but the module map and one umbrella header.
        .systemLibrary(
            name: "CGSL",
            pkgConfig: "gsl",
            providers: [.apt(["libgsl-dev"])]
        ),
        // Open MPI through pkg-config, only with the MPI trait (Sources/CMPI/shim.h).
        .systemLibrary(
            name: "CMPI",
            pkgConfig: "ompi-c",
            providers: [.apt(["libopenmpi-dev", "openmpi-bin"])]
        ),
        // Generator, streams, samplers and special functions: a Swift face on GSL.
        .target(name: "SubcastStochastics", dependencies: ["CGSL"]),
        // Model (scenario value types, one trial), engine (trials, threads, streams), statistics.
        .target(name: "SubcastCore", dependencies: ["SubcastStochastics", "CGSL"]),
        // Scenario files (YAML/JSON) and report writers (table, CSV, JSON).
        .target(name: "SubcastIO", dependencies: [
            "SubcastCore",
            .product(name: "Yams", package: "Yams"),
        ]),
        // The command-line tool: argument parsing and wiring only.
        .executableTarget(name: "subcast", dependencies: [
            "SubcastIO",
            "SubcastCore",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
            .target(name: "CMPI", condition: .when(traits: ["MPI"])),
        ]),
        // Fuzz target for the scenario and CSV readers. Normal builds: a replay tool
        // (`ScenarioFuzz FILE...`); with `-Xswiftc -DFUZZING -Xswiftc -sanitize=fuzzer,address`
        // a libFuzzer binary (scripts/fuzz.sh, Fuzz/README.md).
        .executableTarget(name: "ScenarioFuzz", dependencies: ["SubcastIO", "SubcastCore"]),
        .testTarget(name: "SubcastStochasticsTests", dependencies: ["SubcastStochastics"]),
        .testTarget(name: "SubcastCoreTests", dependencies: ["SubcastCore"]),
        .testTarget(name: "SubcastIOTests", dependencies: ["SubcastIO"]),
        .testTarget(name: "SubcastCLITests", dependencies: [
            "subcast",
            .product(name: "PropertyBased", package: "swift-property-based"),
        ]),
    ]
)
