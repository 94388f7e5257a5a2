import Foundation
import Testing

/// The package root, found from this file's path (Tests/SubcastCLITests/CLISupport.swift).
let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

/// The built `subcast` executable: `SUBCAST_EXECUTABLE` when set (CI's exhaustive battery runs
/// the release build), else the sibling of the test bundle, else `.build/debug/subcast`.
let subcastExecutable: URL = {
    if let path = ProcessInfo.processInfo.environment["SUBCAST_EXECUTABLE"], !path.isEmpty { return URL(fileURLWithPath: path) }
    let sibling = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("subcast")
    if FileManager.default.isExecutableFile(atPath: sibling.path) { return sibling }
    return packageRoot.appendingPathComponent(".build/debug/subcast")
}()

/// What one run of `subcast` did.
struct CLIResult {
    var status: Int32
    var stdoutData: Data
    var stderr: String
    /// True when the run was killed at the deadline.
    var timedOut = false
    var stdout: String { String(decoding: stdoutData, as: UTF8.self) }

    /// Parses stdout as a JSON object.
    func json() throws -> [String: Any] {
        let any = try JSONSerialization.jsonObject(with: stdoutData)
        return try #require(any as? [String: Any], "stdout is not a JSON object")
    }
}

/// A fresh temporary directory for one test; `cleanup()` removes it.
struct Workspace {
    let url: URL
    var path: String { url.path }

    init() throws {
        url = FileManager.default.temporaryDirectory
            .appendingPathComponent("subcast-cli-tests-\(getpid())-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    func file(_ name: String) -> String { url.appendingPathComponent(name).path }

    @discardableResult
    func write(_ name: String, _ text: String) throws -> String {
        let p = file(name)
        try Data(text.utf8).write(to: URL(fileURLWithPath: p))
        return p
    }

    func cleanup() { try? FileManager.default.removeItem(at: url) }

    /// Runs `subcast` with `arguments`, stdout and stderr captured through files (no pipe
    /// buffers to fill), stdin empty. Kills the process after `timeout` seconds.
    func run(_ arguments: [String], timeout: Double = 120) throws -> CLIResult {
        let id = UUID().uuidString
        let outPath = file(".stdout-\(id)"), errPath = file(".stderr-\(id)")
        _ = FileManager.default.createFile(atPath: outPath, contents: nil)
        _ = FileManager.default.createFile(atPath: errPath, contents: nil)
        defer {
            try? FileManager.default.removeItem(atPath: outPath)
            try? FileManager.default.removeItem(atPath: errPath)
        }
        let out = try FileHandle(forWritingTo: URL(fileURLWithPath: outPath))
        let err = try FileHandle(forWritingTo: URL(fileURLWithPath: errPath))
        let p = Process()
        p.executableURL = subcastExecutable
        p.arguments = arguments
        p.currentDirectoryURL = url
        p.standardInput = FileHandle.nullDevice
        p.standardOutput = out
        p.standardError = err
        try p.run()
        let deadline = Date().addingTimeInterval(timeout)
        var timedOut = false
        while p.isRunning {
            if Date() > deadline {
                // SIGKILL: a child spawned from a Dispatch worker thread inherits its blocked
                // signals, SIGTERM included, so terminate() may not stop it.
                timedOut = true
                kill(p.processIdentifier, SIGKILL)
                break
            }
            Thread.sleep(forTimeInterval: 0.01)
        }
        p.waitUntilExit()
        try out.close()
        try err.close()
        let stdoutData = try Data(contentsOf: URL(fileURLWithPath: outPath))
        let stderr = String(decoding: try Data(contentsOf: URL(fileURLWithPath: errPath)), as: UTF8.self)
        return CLIResult(status: p.terminationStatus, stdoutData: stdoutData, stderr: stderr, timedOut: timedOut)
    }
}

/// A small scenario: 12 months, two plans, an existing base. `seed` nil leaves it out.
func smallScenario(name: String = "cli-small", seed: UInt64? = 4242, horizon: Int = 12, trials: Int = 200) -> String {
    """
    schema_version: 1
    name: \(name)
    currency: EUR
    horizon_months: \(horizon)
    trials: \(trials)
    \(seed.map { "seed: \($0)" } ?? "# no seed")
    plans:
      - name: basic
        price_per_month: 10
        churn: {alpha: 1, beta: 8}
      - name: pro
        price_per_month: 45
        churn: {mean_per_month: 0.03, heterogeneity: 0.1}
    acquisition:
      new_per_month: 40
      growth_per_month: 0.02
      mix: {basic: 0.75, pro: 0.25}
    existing:
      - {plan: pro, count: 30, tenure_months: 6}
    economics:
      gross_margin: 0.8
      cac_per_subscriber: 100
    cltv:
      lifetime_months: 36
    report:
      cohorts: [\(horizon >= 6 ? "1, 6" : "1")]

    """
}

/// The timing line on stderr, e.g. `subcast: 200 trials in 0.05 s (4000 trials/s) on 2 threads`.
func hasTimingLine(_ stderr: String, trials: Int) -> Bool {
    stderr.split(separator: "\n").contains { line in
        line.hasPrefix("subcast: \(trials) trials in ") && line.contains(" trials/s) on ") && line.contains(" thread")
    }
}
