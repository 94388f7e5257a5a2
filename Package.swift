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
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.0.0"),
    ],
    targets: [
        // GSL through pkg-config; nothing but the module map and one umbrella header.
        .systemLibrary(
            name: "CGSL",
            pkgConfig: "gsl",
            providers: [.apt(["libgsl-dev"])]
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
        ]),
        .testTarget(name: "SubcastStochasticsTests", dependencies: ["SubcastStochastics"]),
        .testTarget(name: "SubcastCoreTests", dependencies: ["SubcastCore"]),
        .testTarget(name: "SubcastIOTests", dependencies: ["SubcastIO"]),
        .testTarget(name: "SubcastCLITests", dependencies: ["subcast"]),
    ]
)
