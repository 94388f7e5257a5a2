import Foundation
import Synchronization
import Testing
import SubcastCore
@testable import SubcastIO

// The in-process half of the fuzzing set-up (the libFuzzer half is scripts/fuzz.sh and
// Sources/ScenarioFuzz; Fuzz/README.md describes both):
//
// - `mutations`: a seeded random mutator over the committed corpus (Fuzz/corpus/). Every
//   mutated input must come back from the parsers as a value or a `ScenarioError`, quickly.
//   The seed changes every run and is printed first; rerun a failure with
//   `SUBCAST_FUZZ_SEED=<seed> swift test --filter ScenarioFuzzTests`.
// - `regressions`: replays every reproducer in Fuzz/regressions/, each in a child process
//   (a Swift Testing exit test) with a time limit, so a crash or hang fails that one case
//   instead of killing the test run.

/// The package root, found from this file's path (Tests/SubcastIOTests/ScenarioFuzzTests.swift).
private let fuzzRoot = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("Fuzz")

/// The regular files directly in `Fuzz/<folder>`, sorted by name.
private func fuzzFiles(_ folder: String) -> [URL] {
    let dir = fuzzRoot.appendingPathComponent(folder)
    let names = (try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []
    return names.sorted().map { dir.appendingPathComponent($0) }.filter {
        var isDirectory: ObjCBool = false
        return FileManager.default.fileExists(atPath: $0.path, isDirectory: &isDirectory) && !isDirectory.boolValue
    }
}

/// SplitMix64 (Steele, Lea, Flood 2014): tiny, fast, and defined here, so a seed reproduces the
/// same inputs on every toolchain (the standard library's `random(in:using:)` algorithms may change).
struct SplitMix64 {
    var state: UInt64

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// 0 ..< n (n >= 1); the modulo bias is irrelevant here.
    mutating func below(_ n: Int) -> Int { Int(next() % UInt64(max(n, 1))) }

    /// lo ... hi.
    mutating func within(_ lo: Int, _ hi: Int) -> Int { lo + below(hi - lo + 1) }

    mutating func pick<T>(_ items: [T]) -> T { items[below(items.count)] }
}

/// Byte-level mutations in the spirit of libFuzzer's, plus YAML-aware insertions.
struct Mutator {
    var rng: SplitMix64
    let corpus: [[UInt8]]

    /// Characters and tokens with a meaning in YAML, JSON or CSV, and text that tests number
    /// parsing, line breaks and encodings.
    static let specials: [[UInt8]] = ([
        "[", "]", "{", "}", "&", "*", "!", "|", ">", ":", "-", "#", "'", "\"", "\t", ",", "?", "%", "@", "`", "\\",
        ": ", "- ", "? ", "&a ", "*a", ":*a", ":&a ", "!!str ", "!!map ", "|-", ">+2", "---", "...", "<<: ",
        "\r\n", "\r", "\n", "\n  ", "\u{FEFF}", "\u{85}", "\u{2028}", "\u{2029}", "\u{0}", "\u{7F}", "é", "😀",
        ".nan", ".inf", "-.inf", "1e999", "1e-320", "4.9e-324", "1.7976931348623157e308", "-0", "0x1F", "1_0",
        "18446744073709551616", "99999999999999999999", "2024-02-29", "0000-01-01", "\"\"", ",,",
    ] as [String]).map { Array($0.utf8) }

    mutating func mutate(_ input: [UInt8]) -> (bytes: [UInt8], steps: [String]) {
        var bytes = input
        var steps: [String] = []
        for _ in 0 ..< rng.within(1, 4) {
            steps.append(step(&bytes))
        }
        return (bytes, steps)
    }

    private mutating func position(_ bytes: [UInt8]) -> Int { rng.below(bytes.count + 1) }

    private mutating func step(_ bytes: inout [UInt8]) -> String {
        switch rng.below(12) {
        case 0 where !bytes.isEmpty:
            let i = rng.below(bytes.count), bit = rng.below(8)
            bytes[i] ^= 1 << UInt8(bit)
            return "flip bit \(bit) at \(i)"
        case 1 where !bytes.isEmpty:
            let i = rng.below(bytes.count), value = UInt8(rng.below(256))
            bytes[i] = value
            return "set byte \(i) to \(value)"
        case 2:
            let i = position(bytes), value = UInt8(rng.below(256))
            bytes.insert(value, at: i)
            return "insert byte \(value) at \(i)"
        case 3 where !bytes.isEmpty:
            let i = rng.below(bytes.count), n = min(rng.within(1, 32), bytes.count - i)
            bytes.removeSubrange(i ..< i + n)
            return "delete \(n) at \(i)"
        case 4 where !bytes.isEmpty:
            let i = rng.below(bytes.count), n = min(rng.within(1, 64), bytes.count - i), at = position(bytes)
            bytes.insert(contentsOf: Array(bytes[i ..< i + n]), at: at)
            return "duplicate \(n) from \(i) at \(at)"
        case 5:
            // Splice: this input's head, another file's tail.
            let other = rng.pick(corpus)
            let head = position(bytes), tail = rng.below(other.count + 1)
            bytes = Array(bytes[..<head]) + Array(other[tail...])
            return "splice at \(head) with a tail from \(tail)"
        case 6:
            let other = rng.pick(corpus)
            guard !other.isEmpty else { return "no-op" }
            let i = rng.below(other.count), n = min(rng.within(1, 128), other.count - i), at = position(bytes)
            bytes.insert(contentsOf: other[i ..< i + n], at: at)
            return "insert \(n) bytes of another file at \(at)"
        case 7, 8:
            let token = rng.pick(Self.specials), at = position(bytes)
            bytes.insert(contentsOf: token, at: at)
            return "insert \(String(decoding: token, as: UTF8.self).debugDescription) at \(at)"
        case 9:
            // A run of one special: nesting, long indentation, many aliases or dashes.
            let token = rng.pick(Self.specials), count = rng.within(2, 300), at = position(bytes)
            bytes.insert(contentsOf: Array([[UInt8]](repeating: token, count: count).joined()), at: at)
            return "insert \(count) x \(String(decoding: token, as: UTF8.self).debugDescription) at \(at)"
        case 10:
            // Line endings: LF to CRLF or to CR.
            let crOnly = rng.below(2) == 0
            bytes = bytes.flatMap { $0 == 0x0A ? (crOnly ? [0x0D] : [0x0D, 0x0A]) : [$0] }
            return crOnly ? "LF -> CR" : "LF -> CRLF"
        case 11 where !bytes.isEmpty:
            let n = rng.below(bytes.count)
            bytes.removeSubrange(n...)
            return "truncate to \(n)"
        default:
            let at = position(bytes)
            bytes.insert(UInt8(ascii: " "), at: at)
            return "insert a space at \(at)"
        }
    }
}

/// Ends the test process with a message when one input has been parsing for longer than `limit`.
/// A hang in a parser cannot be interrupted in-process; printing the seed and saving the input
/// beats a silent CI timeout.
final class Watchdog: Sendable {
    private enum State { case idle, busy(since: ContinuousClock.Instant, report: @Sendable () -> String), finished }
    private let state = Mutex<State>(.idle)

    init(limit: Duration) {
        let thread = Thread { [self] in watch(limit) }
        thread.start()
    }

    private func watch(_ limit: Duration) {
        while true {
            Thread.sleep(forTimeInterval: 0.25)
            let report: String? = state.withLock { s in
                switch s {
                case .finished: return ""
                case .idle: return nil
                case let .busy(since, report): return ContinuousClock.now - since > limit ? report() : nil
                }
            }
            guard let report else { continue }
            if report.isEmpty { return }
            FileHandle.standardError.write(Data("ScenarioFuzzTests: an input has been parsing for more than \(limit), a hang: \(report)\n".utf8))
            abort()
        }
    }

    func begin(_ report: @escaping @Sendable () -> String) { state.withLock { $0 = .busy(since: .now, report: report) } }
    func end() { state.withLock { $0 = .idle } }
    func finish() { state.withLock { $0 = .finished } }
}

@Suite("Scenario fuzzing")
struct ScenarioFuzzTests {
    static let scenarioCorpus = fuzzFiles("corpus/scenario")
    static let csvCorpus = fuzzFiles("corpus/csv")

    /// The seed for this run: `SUBCAST_FUZZ_SEED` (decimal or 0x hex) or a fresh one.
    static func seed() -> UInt64 {
        if let text = ProcessInfo.processInfo.environment["SUBCAST_FUZZ_SEED"] {
            let value = text.lowercased().hasPrefix("0x") ? UInt64(text.dropFirst(2), radix: 16) : UInt64(text)
            if let value { return value }
        }
        return UInt64.random(in: 0 ... UInt64.max)
    }

    /// Writes a failing input where it can be picked up, and says how to reproduce it.
    static func keep(_ bytes: [UInt8], _ label: String, seed: UInt64, index: Int, steps: [String], base: String) -> String {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("subcast-fuzz-\(seed)-\(label)-\(index)")
        try? Data(bytes).write(to: file)
        return "seed \(seed) case \(index) (\(base): \(steps.joined(separator: ", "))); input written to \(file.path); "
            + "reproduce with SUBCAST_FUZZ_SEED=\(seed) swift test --filter ScenarioFuzzTests, or replay the file "
            + "with `swift run ScenarioFuzz FILE`"
    }

    /// One input through one parser: it must return or throw a well-formed `ScenarioError`, within `limit`.
    static func check(_ label: String, _ bytes: [UInt8], limit: Duration, watchdog: Watchdog,
                      context: @escaping @Sendable () -> String, _ parse: (Data) throws(ScenarioError) -> Void) {
        let clock = ContinuousClock()
        let start = clock.now
        var thrown: ScenarioError? = nil
        watchdog.begin { "\(label), \(context())" }
        do {
            try parse(Data(bytes))
        } catch {
            thrown = error
        }
        watchdog.end()
        let elapsed = clock.now - start
        if elapsed > limit {
            Issue.record("\(label) took \(elapsed) (limit \(limit)): \(context())")
        }
        // `merge` reports problems of the set of partials (a missing shard) against the command line.
        let files = label.hasPrefix("PartialResult") ? ["fuzz-input", "<command line>"] : ["fuzz-input"]
        if let e = thrown, e.message.isEmpty || e.line < 0 || e.column < 0 || !files.contains(e.file) {
            Issue.record("\(label) threw a malformed error \(e): \(context())")
        }
    }

    @Test("3000 mutated scenario files: each parses or throws a ScenarioError, none crashes or hangs")
    func mutations() throws {
        let scenarios = try Self.scenarioCorpus.map { try [UInt8](Data(contentsOf: $0)) }
        let csvs = try Self.csvCorpus.map { try [UInt8](Data(contentsOf: $0)) }
        try #require(scenarios.count >= 10, "expected the scenario corpus in \(fuzzRoot.path)/corpus/scenario")
        try #require(csvs.count >= 5, "expected the CSV corpus in \(fuzzRoot.path)/corpus/csv")

        let seed = Self.seed()
        // Printed up front: a crash kills the process before any issue could be recorded.
        print("ScenarioFuzzTests: seed \(seed) (rerun with SUBCAST_FUZZ_SEED=\(seed) swift test --filter ScenarioFuzzTests)")
        var mutator = Mutator(rng: SplitMix64(state: seed), corpus: scenarios + csvs)
        let limit = Duration.seconds(2)
        let watchdog = Watchdog(limit: .seconds(30))
        defer { watchdog.finish() }
        let clock = ContinuousClock()
        let start = clock.now

        // Scenario corpus through the loader: ~3000 inputs, every file mutated alike.
        let perFile = max(1, 3000 / scenarios.count)
        for (f, original) in scenarios.enumerated() {
            let base = Self.scenarioCorpus[f].lastPathComponent
            for k in 0 ..< perFile {
                let (bytes, steps) = mutator.mutate(original)
                let index = f * perFile + k
                Self.check("ScenarioLoader.parse", bytes, limit: limit, watchdog: watchdog,
                           context: { Self.keep(bytes, "scenario", seed: seed, index: index, steps: steps, base: base) }) { data throws(ScenarioError) in
                    _ = try ScenarioLoader.parse(data: data, file: "fuzz-input")
                }
            }
        }

        // CSV corpus through both data readers: ~600 inputs (they are cheap).
        let asOf = CalendarDate(year: 2025, month: 6, day: 30)!
        let perCSV = max(1, 600 / csvs.count)
        for (f, original) in csvs.enumerated() {
            let base = Self.csvCorpus[f].lastPathComponent
            for k in 0 ..< perCSV {
                let (bytes, steps) = mutator.mutate(original)
                let index = f * perCSV + k
                let context: @Sendable () -> String = { Self.keep(bytes, "csv", seed: seed, index: index, steps: steps, base: base) }
                Self.check("RetentionTableReader.parse", bytes, limit: limit, watchdog: watchdog, context: context) { data throws(ScenarioError) in
                    _ = try RetentionTableReader.parse(data: data, file: "fuzz-input", period: .month)
                }
                Self.check("SubscriptionsReader.parse", bytes, limit: limit, watchdog: watchdog, context: context) { data throws(ScenarioError) in
                    _ = try SubscriptionsReader.parse(data: data, file: "fuzz-input", asOf: asOf, period: .year, groupByPlan: k % 2 == 0)
                }
            }
        }
        let elapsed = clock.now - start
        #expect(elapsed < .seconds(30), "the mutation test took \(elapsed) with seed \(seed); it should take a few seconds")
    }

    static let partialCorpus = fuzzFiles("corpus/partial")

    @Test("1000 mutated shard partials, sealed with a correct digest: each parses and merges or throws, none crashes or hangs")
    func partialMutations() throws {
        let partials = try Self.partialCorpus.map { try [UInt8](Data(contentsOf: $0)) }
        try #require(partials.count >= 2, "expected the partial corpus in \(fuzzRoot.path)/corpus/partial")
        // The corpus itself parses (so the mutations start from valid files).
        for (url, bytes) in zip(Self.partialCorpus, partials) {
            #expect(throws: Never.self, "\(url.lastPathComponent)") { _ = try PartialResult.parse(data: Data(bytes), file: "fuzz-input") }
        }
        let seed = Self.seed()
        print("ScenarioFuzzTests: partial seed \(seed) (rerun with SUBCAST_FUZZ_SEED=\(seed) swift test --filter ScenarioFuzzTests)")
        var mutator = Mutator(rng: SplitMix64(state: seed ^ 0x7061_7274), corpus: partials)
        let watchdog = Watchdog(limit: .seconds(30))
        defer { watchdog.finish() }
        let perFile = 1000 / partials.count
        var reachedParser = 0
        for (f, original) in partials.enumerated() {
            let base = Self.partialCorpus[f].lastPathComponent
            // The body without its digest line, mutated, then sealed again.
            let body = Array(original[..<(original.dropLast().lastIndex(of: UInt8(ascii: "\n"))! + 1)])
            for k in 0 ..< perFile {
                let (mutated, steps) = mutator.mutate(body)
                let text = String(decoding: mutated, as: UTF8.self)
                let sealed = [UInt8](PartialResult.sealed(text.hasSuffix("\n") || text.isEmpty ? text : text + "\n").utf8)
                let index = f * perFile + k
                Self.check("PartialResult.parse", sealed, limit: .seconds(2), watchdog: watchdog,
                           context: { Self.keep(sealed, "partial", seed: seed, index: index, steps: steps, base: base) }) { data throws(ScenarioError) in
                    let p = try PartialResult.parse(data: data, file: "fuzz-input")
                    _ = try PartialResult.merge([("fuzz-input", p)])
                }
                if (try? PartialResult.parse(data: Data(sealed), file: "fuzz-input")) != nil { reachedParser += 1 }
                // Unsealed, a mutation is caught by the digest.
                if mutated != body {
                    let unsealed = Data(mutated + Array(original[body.count...]))
                    #expect(throws: ScenarioError.self, "seed \(seed) case \(index): \(steps)") {
                        _ = try PartialResult.parse(data: unsealed, file: "fuzz-input")
                    }
                }
            }
        }
        // Some mutations (in the scenario text's comments, say) leave a valid partial.
        print("ScenarioFuzzTests: \(reachedParser) of \(perFile * partials.count) sealed mutations parsed")
    }

    // MARK: - Regressions

    /// Reproducers in Fuzz/regressions/ (README.md and KNOWN_ISSUES are documentation).
    static let regressionFiles: [String] = fuzzFiles("regressions")
        .map(\.lastPathComponent)
        .filter { $0 != "README.md" && $0 != "KNOWN_ISSUES" && !$0.hasPrefix(".") }

    /// Reproducers whose bug is not fixed yet: `KNOWN_ISSUES` lines `FILE  what is wrong`.
    /// Their case is expected to fail (a known issue); once the bug is fixed the case reports
    /// that no known issue occurred, and the line must be removed.
    static let knownIssues: [String: String] = {
        let url = fuzzRoot.appendingPathComponent("regressions/KNOWN_ISSUES")
        guard let text = try? String(contentsOf: url, encoding: .utf8) else { return [:] }
        var issues: [String: String] = [:]
        for line in text.split(whereSeparator: \.isNewline) where !line.hasPrefix("#") {
            let parts = line.split(maxSplits: 1, whereSeparator: \.isWhitespace)
            if let name = parts.first { issues[String(name)] = parts.count > 1 ? String(parts[1]) : "" }
        }
        return issues
    }()

    @Test("Fuzz/regressions/ exists and documents itself")
    func regressionFolder() {
        #expect(FileManager.default.fileExists(atPath: fuzzRoot.appendingPathComponent("regressions/README.md").path))
        for name in Self.knownIssues.keys {
            #expect(Self.regressionFiles.contains(name), "KNOWN_ISSUES lists \(name), which is not in Fuzz/regressions/")
        }
    }

    @Test("Every reproducer in Fuzz/regressions/ parses or throws, in a child process with a time limit",
          arguments: regressionFiles)
    func regressions(_ name: String) async {
        let path = fuzzRoot.appendingPathComponent("regressions").appendingPathComponent(name).path
        let replay = {
            _ = await #expect(processExitsWith: .success, "\(name) crashed or took more than 5 s") { [path = path as String] in
                alarm(5)  // a hang ends the child with SIGALRM
                guard let data = FileManager.default.contents(atPath: path) else { exit(3) }
                _ = try? ScenarioLoader.parse(data: data, file: path)
                _ = try? RetentionTableReader.parse(data: data, file: path, period: .month)
                let asOf = CalendarDate(year: 2025, month: 6, day: 30)!
                _ = try? SubscriptionsReader.parse(data: data, file: path, asOf: asOf, period: .month, groupByPlan: false)
                _ = try? SubscriptionsReader.parse(data: data, file: path, asOf: asOf, period: .year, groupByPlan: true)
                exit(0)
            }
        }
        if let issue = Self.knownIssues[name] {
            await withKnownIssue("known issue, not fixed yet: \(issue)") { await replay() }
        } else {
            await replay()
        }
    }
}
