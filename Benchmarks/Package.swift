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
                .product(name: "SubcastIO", package: "Subcast"),
            ],
            path: "Benchmarks/EngineBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        // A plain timer of the engine on the sbg-cohorts model that prints one JSON line, run by
        // run-baselines.sh beside the C + GSL and NumPy baselines. It lives in Sources/, not in
        // Benchmarks/: the benchmark plugin treats every executable under Benchmarks/ as a
        // package-benchmark suite.
        .executableTarget(
            name: "EngineTimer",
            dependencies: [.product(name: "SubcastCore", package: "Subcast")],
            path: "Sources/EngineTimer"
        ),
        // Where the engine's time goes: the sbg-cohorts loop written lean in Swift, with GSL's
        // mt19937 or Subcast's PCG64 generator, with and without the engine's per-trial stream
        // re-keying, plus micro-timings of re-keying and of the trial matrix (see README.md).
        // Every business lever switched on (Scenarios/levers-saas.yaml) against the same
        // scenario with the levers off: trials/s and ns per compartment-month step.
        .executableTarget(
            name: "LeverTimer",
            dependencies: [
                .product(name: "SubcastCore", package: "Subcast"),
                .product(name: "SubcastIO", package: "Subcast"),
            ],
            path: "Sources/LeverTimer"
        ),
        .executableTarget(
            name: "EngineAblation",
            dependencies: [
                .product(name: "SubcastStochastics", package: "Subcast"),
                .product(name: "SubcastCore", package: "Subcast"),
            ],
            path: "Sources/EngineAblation"
        ),
    ]
)
