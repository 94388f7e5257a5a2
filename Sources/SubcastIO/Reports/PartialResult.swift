import Foundation
import SubcastCore
import SubcastStochastics

/// A mergeable partial result: the statistics of one shard's trials (whole merge blocks of
/// `Reduction.mergeBlockSize` trials), with everything needed to check that shards belong
/// together and to render the merged result. Text, exact (doubles as hex bit patterns).
///
/// ```
/// subcast-partial 3
/// subcast_version 0.1.0
/// gsl_version 2.7.1
/// generator pcg64 ...
/// scenario_file Scenarios/b2b-saas.yaml
/// scenario_digest 9f1c...        (FNV-1a 64 of the scenario text)
/// seed 42
/// trials 20000
/// shard 0 2                      (index, count)
/// merge_blocks 0 3               (first, end)
/// width 1234
/// scenario_text 1532             (bytes that follow, then a newline unless the text ends with one)
/// <the scenario file's text>
/// block <b> <n mean m2> x width  (one line per merge block)
/// sketch <j> <encoding>          (one line per series: `QuantileSketch.encoded`, with its level)
/// end
/// digest <16 hex digits>         (FNV-1a 64 of every byte before this line)
/// ```
/// The digest covers the whole file, so any changed byte (each FNV-1a step is a bijection of its
/// state, so a single changed byte always changes the digest) or truncation is found before
/// anything is merged. Formats 1 (unbounded sketches) and 2 (no whole-file digest) are refused
/// with a message asking to re-run the shard.
/// `subcast merge` joins shards into the result of a single run, bit for bit, and refuses
/// partials of different scenarios, seeds, trial counts, versions or generators.
public struct PartialResult: Sendable {
    public static let formatLine = "subcast-partial 3"
    /// The first lines of partials of earlier formats (1: unbounded sketches, 2: no digest).
    static let oldFormatLines: Set<Substring> = ["subcast-partial 1", "subcast-partial 2"]

    public var subcastVersion: String
    public var gslVersion: String
    public var generator: String
    public var scenarioFile: String
    public var scenarioText: String
    public var seed: UInt64
    public var trials: Int
    public var shardIndex: Int
    public var shardCount: Int
    public var reduction: Reduction

    public init(info: RunInfo, scenarioText: String, seed: UInt64, trials: Int, shardIndex: Int, shardCount: Int,
                reduction: Reduction) {
        subcastVersion = info.subcastVersion
        gslVersion = info.gslVersion
        generator = info.generator
        scenarioFile = info.scenarioFile
        self.scenarioText = scenarioText
        self.seed = seed
        self.trials = trials
        self.shardIndex = shardIndex
        self.shardCount = shardCount
        self.reduction = reduction
    }

    /// FNV-1a 64 of some bytes (an identity check for scenario texts, not a cryptographic hash).
    public static func digest<Bytes: Sequence>(_ bytes: Bytes) -> UInt64 where Bytes.Element == UInt8 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in bytes { h = (h ^ UInt64(b)) &* 0x100_0000_01b3 }
        return h
    }

    /// FNV-1a 64 of the scenario text, as 16 hex digits.
    public var scenarioDigest: String { PartialResult.hex(PartialResult.digest(scenarioText.utf8)) }

    static func hex(_ x: UInt64) -> String {
        let s = String(x, radix: 16)
        return String(repeating: "0", count: 16 - s.count) + s
    }

    /// Checks the last line's digest against the rest of `text`; returns the text before it.
    static func verifiedBody(_ text: String, file: String) throws(ScenarioError) -> Substring {
        let bytes = Array(text.utf8)
        let damaged = "is truncated or damaged: it does not end with its digest line; re-run the shard or copy the file again"
        // The last line: "digest <16 hex>\n".
        guard bytes.count >= 24, bytes.last == UInt8(ascii: "\n") else { throw ScenarioError(file: file, message: damaged) }
        var start = bytes.count - 1
        while start > 0 && bytes[start - 1] != UInt8(ascii: "\n") { start -= 1 }
        let last = String(decoding: bytes[start..<(bytes.count - 1)], as: UTF8.self)
        guard last.count == 23, last.hasPrefix("digest "), let given = UInt64(last.dropFirst(7), radix: 16) else {
            throw ScenarioError(file: file, message: damaged)
        }
        guard digest(bytes[0..<start]) == given else {
            throw ScenarioError(file: file, message: "is damaged: its content does not match its digest (a changed or missing byte); "
                                + "re-run the shard or copy the file again")
        }
        return Substring(String(decoding: bytes[0..<start], as: UTF8.self))
    }

    public func encoded() -> String {
        precondition(reduction.blockMoments != nil, "a partial result needs per-block moments")
        var out = [PartialResult.formatLine,
                   "subcast_version \(subcastVersion)", "gsl_version \(gslVersion)", "generator \(generator)",
                   "scenario_file \(scenarioFile)", "scenario_digest \(scenarioDigest)", "seed \(seed)",
                   "trials \(trials)", "shard \(shardIndex) \(shardCount)",
                   "merge_blocks \(reduction.mergeBlocks.lowerBound) \(reduction.mergeBlocks.upperBound)",
                   "width \(reduction.width)", "scenario_text \(scenarioText.utf8.count)"]
        // The text, plus a newline if it does not end with one (the reader strips it again).
        var text = out.joined(separator: "\n") + "\n" + scenarioText + (scenarioText.hasSuffix("\n") ? "" : "\n")
        out = []
        for (k, block) in reduction.blockMoments!.enumerated() {
            out.append("block \(reduction.mergeBlocks.lowerBound + k) " + block.map(\.encoded).joined(separator: " "))
        }
        for (j, s) in reduction.sketches.enumerated() { out.append("sketch \(j) \(s.encoded)") }
        out.append("end")
        text += out.joined(separator: "\n") + "\n"
        return text + "digest \(PartialResult.hex(PartialResult.digest(text.utf8)))\n"
    }

    /// Reads a partial result file; errors name the file and line.
    public static func read(path: String) throws(ScenarioError) -> PartialResult {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ScenarioError(file: path, message: FileManager.default.fileExists(atPath: path)
                                ? "cannot read the partial result" : "no such file")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw ScenarioError(file: path, message: "is not a Subcast partial result (not UTF-8 text)")
        }
        return try parse(text, file: path)
    }

    /// Parses the bytes of a partial result file (what `read(path:)` does after reading it).
    public static func parse(data: Data, file: String) throws(ScenarioError) -> PartialResult {
        guard let text = String(data: data, encoding: .utf8) else {
            throw ScenarioError(file: file, message: "is not a Subcast partial result (not UTF-8 text)")
        }
        return try parse(text, file: file)
    }

    /// `body` with its digest line appended, as `encoded()` ends a file (for tools that build or
    /// mutate partials, such as the fuzzer, so the parser behind the digest check is reached).
    public static func sealed(_ body: String) -> String {
        body + "digest \(hex(digest(body.utf8)))\n"
    }

    /// The largest `width` (series per trial) a partial may declare.
    static let maximumWidth = 1 << 24

    static func parse(_ whole: String, file: String) throws(ScenarioError) -> PartialResult {
        // The format line first (an old format gets its own message), then the whole file's digest.
        let firstLine = whole.prefix { $0 != "\n" }
        if oldFormatLines.contains(firstLine) {
            throw ScenarioError(file: file, line: 1, message: "is a partial result of an older Subcast ('\(firstLine)') that this "
                                + "build cannot merge; re-run its shard with this build")
        }
        guard firstLine == formatLine[...] else {
            throw ScenarioError(file: file, line: 1, message: "is not a Subcast partial result (expected first line '\(formatLine)'); "
                                + "write one with `subcast run SCENARIO --shard I/N --partial FILE`")
        }
        let text = try verifiedBody(whole, file: file)
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false)[...]
        var lineNumber = 0
        func bad(_ message: String) -> ScenarioError { ScenarioError(file: file, line: lineNumber, message: message) }
        func next() throws(ScenarioError) -> Substring {
            guard let l = lines.popFirst() else { throw bad("ends early; the partial result is truncated") }
            lineNumber += 1
            return l
        }
        func field(_ key: String) throws(ScenarioError) -> Substring {
            let l = try next()
            guard l.hasPrefix(key + " ") else { throw bad("expected '\(key) ...', got '\(l.prefix(60))'") }
            return l.dropFirst(key.count + 1)
        }
        let format = try next()
        if oldFormatLines.contains(format) {
            throw bad("is a partial result of an older Subcast ('\(format)', unbounded quantile sketches) that this "
                      + "build cannot merge; re-run its shard with this build")
        }
        guard format == formatLine[...] else {
            throw bad("is not a Subcast partial result (expected first line '\(formatLine)'); write one with "
                      + "`subcast run SCENARIO --shard I/N --partial FILE`")
        }
        let version = String(try field("subcast_version"))
        let gsl = String(try field("gsl_version"))
        let generator = String(try field("generator"))
        let scenarioFile = String(try field("scenario_file"))
        let digest = String(try field("scenario_digest"))
        guard let seed = UInt64(try field("seed")) else { throw bad("malformed seed") }
        guard let trials = Int(try field("trials")), trials >= 1, trials <= ScenarioLoader.Limits.maximumTrials else { throw bad("malformed trials") }
        let shard = try field("shard").split(separator: " ")
        guard shard.count == 2, let si = Int(shard[0]), let sn = Int(shard[1]), sn >= 1, si >= 0, si < sn else { throw bad("malformed shard") }
        let mb = try field("merge_blocks").split(separator: " ")
        guard mb.count == 2, let lo = Int(mb[0]), let hi = Int(mb[1]), lo >= 0, hi >= lo,
              hi <= Reduction.mergeBlockCount(trials: trials) else { throw bad("malformed merge_blocks") }
        guard let width = Int(try field("width")), width >= 1, width <= maximumWidth else { throw bad("malformed width") }
        guard let byteCount = Int(try field("scenario_text")), byteCount >= 0 else { throw bad("malformed scenario_text") }
        // The scenario text may span lines: take lines until byteCount bytes are consumed.
        var scenario = ""
        while scenario.utf8.count < byteCount {
            let l = try next()
            scenario += l + "\n"
        }
        if scenario.utf8.count == byteCount + 1 { scenario.removeLast() }
        guard scenario.utf8.count == byteCount else { throw bad("scenario text length does not match scenario_text") }
        var blocks: [[Moments]] = []
        for b in lo..<hi {
            let l = try next()
            let f = l.split(separator: " ")
            guard f.count == 2 + 3 * width, f[0] == "block", Int(f[1]) == b else { throw bad("malformed block line for merge block \(b)") }
            var row: [Moments] = []
            row.reserveCapacity(width)
            for j in 0..<width {
                guard let m = Moments(n: f[2 + 3 * j], mean: f[3 + 3 * j], m2: f[4 + 3 * j]) else { throw bad("malformed moments in block \(b)") }
                row.append(m)
            }
            blocks.append(row)
        }
        var sketches: [QuantileSketch] = []
        for j in 0..<width {
            let l = try next()
            let prefix = "sketch \(j) "
            guard l.hasPrefix(prefix), let s = QuantileSketch(encoded: l.dropFirst(prefix.count)),
                  s.relativeAccuracy == QuantileSketch.defaultRelativeAccuracy else {
                throw bad("malformed sketch for series \(j)")
            }
            sketches.append(s)
        }
        guard try next() == "end" else { throw bad("expected 'end'") }
        var info = RunInfo(scenarioFile: scenarioFile)
        info.subcastVersion = version
        info.gslVersion = gsl
        info.generator = generator
        let reduction = Reduction(trials: trials, width: width, mergeBlocks: lo..<hi, blockMoments: blocks,
                                  total: Reduction.fold(blocks, width: width), sketches: sketches)
        let p = PartialResult(info: info, scenarioText: scenario, seed: seed, trials: trials, shardIndex: si,
                              shardCount: sn, reduction: reduction)
        guard p.scenarioDigest == digest else { throw bad("scenario_digest does not match the embedded scenario text (file corrupted?)") }
        return p
    }

    /// Checks that partials belong to one run and cover every merge block once, then joins them.
    /// - Returns: the scenario (re-read from the embedded text), the merged result and run info.
    /// `percentiles`: extra percentiles for the merged result's summaries (`--percentiles`).
    public static func merge(_ parts: [(path: String, partial: PartialResult)],
                             percentiles: [Double] = []) throws(ScenarioError) -> (SimulationResult, RunInfo) {
        guard let (firstPath, first) = parts.first else {
            throw ScenarioError(file: "<command line>", message: "no partial results given")
        }
        let here = RunInfo(scenarioFile: first.scenarioFile)
        for (path, p) in parts {
            func differ(_ what: String, _ a: String, _ b: String) -> ScenarioError {
                ScenarioError(file: path, message: "cannot merge: \(what) is \(b) here but \(a) in \(firstPath); "
                              + "partials must come from the same scenario, seed, trials and Subcast build")
            }
            if p.subcastVersion != here.subcastVersion { throw differ("the Subcast version", here.subcastVersion, p.subcastVersion) }
            if p.gslVersion != here.gslVersion { throw differ("the GSL version", here.gslVersion, p.gslVersion) }
            if p.generator != here.generator { throw differ("the generator", here.generator, p.generator) }
            if p.scenarioDigest != first.scenarioDigest { throw differ("the scenario (digest)", first.scenarioDigest, p.scenarioDigest) }
            if p.seed != first.seed { throw differ("the seed", String(first.seed), String(p.seed)) }
            if p.trials != first.trials { throw differ("the number of trials", String(first.trials), String(p.trials)) }
            if p.shardCount != first.shardCount { throw differ("the shard count", String(first.shardCount), String(p.shardCount)) }
        }
        var seen: [Int: String] = [:]
        for (path, p) in parts {
            if let other = seen[p.shardIndex] {
                throw ScenarioError(file: path, message: "cannot merge: shard \(p.shardIndex)/\(p.shardCount) is also given as \(other)")
            }
            seen[p.shardIndex] = path
        }
        let missing = (0..<first.shardCount).filter { seen[$0] == nil }
        if !missing.isEmpty {
            throw ScenarioError(file: "<command line>", message: "cannot merge: missing shard(s) "
                                + missing.map { "\($0)/\(first.shardCount)" }.joined(separator: ", "))
        }
        guard let joined = Reduction.join(parts.map(\.partial.reduction)),
              joined.mergeBlocks == 0..<Reduction.mergeBlockCount(trials: first.trials) else {
            throw ScenarioError(file: "<command line>", message: "cannot merge: the shards' merge blocks do not tile the run")
        }
        let family = try ScenarioLoader.parseFamily(text: first.scenarioText, file: first.scenarioFile)
        guard ForecastModel(family).layout.width == joined.width else {
            throw ScenarioError(file: firstPath, message: "cannot merge: the partial's outputs do not match its scenario")
        }
        return (Simulation.result(family.reporting(percentiles: percentiles), seed: first.seed, reduction: joined), here)
    }
}
