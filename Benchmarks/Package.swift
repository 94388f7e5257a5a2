// swift-tools-version: 6.1
// Benchmarks of Subcast's hot loop, kept in their own package so that the benchmark
// framework does not slow the main build. Run: cd Benchmarks && swift package benchmark
import PackageDescription

let package = Package(
    name: "SubcastBenchmarks",
    platforms: [.macOS(.v13)],
    dependencies: [
        .package(name: "Subcast", path: ".."),
        .package(url: "https://github.com/ordo-one/benchmark", from: "1.38.1", traits: ["MallocInterposer"]),
    ],
    targets: [
        .executableTarget(
            name: "EngineBenchmarks",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "SubcastCore", package: "Subcast"),
            ],
            path: "Benchmarks/EngineBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
    ]
)
