import Foundation
import PropertyBased
import Testing

/// Property-based battery over every numeric value in the bundled scenarios: one number at a
/// time is replaced by a value drawn across the whole range of doubles and beyond (zero, signs,
/// subnormals, the 32-bit and 64-bit integer limits, 1e18 ... 1e308, overflowing literals, NaN and
/// infinity, and log-uniform random magnitudes), and `subcast run` on the result must exit 0 (a
/// valid scenario, simulated) or 2 (a located error naming the file), never crash, hang or print
/// a non-finite figure in its JSON.
@Suite struct NumericPropertyTests {
    /// A number as written in a scenario: where it starts and ends in the text.
    struct Site: CustomStringConvertible {
        let file: String
        let line: Int
        let range: Range<String.Index>
        let original: String
        var description: String { "\(file):\(line) (was \(original))" }
    }

    static let scenarioFiles: [URL] = {
        let dir = packageRoot.appendingPathComponent("Scenarios")
        let names = (try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []
        return names.filter { $0.hasSuffix(".yaml") }.sorted().map { dir.appendingPathComponent($0) }
    }()

    /// Every number in key position `key: 12`, in flow mappings `{a: 1, b: 2}` and in flow lists
    /// `[1, 2]`, outside comments.
    static func sites(in text: String, file: String) -> [Site] {
        var out: [Site] = []
        var lineNumber = 0
        var lineStart = text.startIndex
        while lineStart < text.endIndex {
            lineNumber += 1
            let lineEnd = text[lineStart...].firstIndex(of: "\n") ?? text.endIndex
            var i = lineStart
            var previous: Character = "\n"
            while i < lineEnd {
                let c = text[i]
                if c == "#" && (previous == " " || previous == "\n") { break }
                if c == "\"" || c == "'" {
                    // Skip quoted text.
                    var j = text.index(after: i)
                    while j < lineEnd && text[j] != c { j = text.index(after: j) }
                    i = j < lineEnd ? text.index(after: j) : lineEnd
                    previous = c
                    continue
                }
                let startsValue = (previous == " " || previous == "[" || previous == "{")
                if startsValue && (c.isNumber || c == "-" || c == "." || c == "+") {
                    var j = i
                    while j < lineEnd && !",]} ".contains(text[j]) { j = text.index(after: j) }
                    let token = String(text[i..<j])
                    // The token before must be `key:`, `- `, `[` or `, ` (a value, not a key or a date).
                    let before = text[lineStart..<i].trimmingCharacters(in: .whitespaces)
                    let isValue = before.hasSuffix(":") || before.hasSuffix("[") || before.hasSuffix(",") || before == "-"
                    if isValue, Double(token.replacingOccurrences(of: "_", with: "")) != nil, !token.hasSuffix(":") {
                        out.append(Site(file: file, line: lineNumber, range: i..<j, original: token))
                    }
                    previous = j > i ? text[text.index(before: j)] : c
                    i = j
                    continue
                }
                previous = c
                i = text.index(after: i)
            }
            lineStart = lineEnd < text.endIndex ? text.index(after: lineEnd) : text.endIndex
        }
        return out
    }

    static let corpus: [(name: String, text: String, sites: [Site])] = scenarioFiles.compactMap { url in
        guard let text = try? String(contentsOf: url, encoding: .utf8) else { return nil }
        return (url.lastPathComponent, text, sites(in: text, file: url.lastPathComponent))
    }

    static let extremes = ["0", "-0", "1", "-1", "0.5", "1e-300", "-1e-300", "4.9e-324", "2.2e-308", "1e6", "1e9",
                           "4294967295", "4294967296", "1e12", "1e13", "1e15", "1e18", "1.1e18", "9.3e18", "1e19",
                           "1e100", "1e300", "-1e300", "1.7976931348623157e308", "-1.7976931348623157e308", "1e999",
                           ".nan", ".inf", "-.inf", "123456789012345678901234567890", "0.999999999999", "1.000000001"]

    @Test func theBundledScenariosHaveManyNumbersToVary() {
        let total = Self.corpus.map(\.sites.count).reduce(0, +)
        #expect(Self.corpus.count >= 5 && total > 200, "\(Self.corpus.count) files, \(total) numbers")
        // The scan finds values, not keys or comments: every site parses as a number.
        for (_, text, sites) in Self.corpus {
            for s in sites { #expect(Double(String(text[s.range]).replacingOccurrences(of: "_", with: "")) != nil, "\(s)") }
        }
    }

    /// More hostile values for the deterministic battery: the small magnitudes where shapes and
    /// probabilities underflow, and ordinary small integers.
    static let moreExtremes = ["1e-320", "1e-310", "1e-200", "1e-100", "1e-50", "1e-20", "1e-16", "1e-15", "1e-12", "1e-9",
                               "1e-6", "-1e-10", "0.999999999999999", "2", "3", "7", "100", "1e30", "1e50", "1e200"]

    /// `subcast run` on `text` with the number at `site` replaced by `value` must exit 0 with
    /// finite figures, or 2 with an error naming the file; never crash, hang or print NaN.
    static func check(_ ws: Workspace, _ name: String, _ text: String, _ site: Site, _ value: String, lane: Int = 0) throws {
        var mutated = text
        mutated.replaceSubrange(site.range, with: value)
        let path = try ws.write("p\(lane)-p-\(name)", mutated)
        let r = try ws.run(["run", path, "--trials", "3", "--format", "json", "--quiet"], timeout: 60)
        let context = "\(site) set to \(value)"
        #expect(!r.timedOut, "hung: \(context)")
        #expect(r.status == 0 || r.status == 2, "exit \(r.status): \(context); stderr: \(r.stderr.prefix(500))")
        if r.status == 2 {
            #expect(r.stderr.contains("p-\(name)"), "the error names the file: \(context); \(r.stderr.prefix(300))")
        } else if r.status == 0 {
            #expect(!r.stdout.isEmpty, "no output: \(context)")
            #expect(!r.stdout.contains("NaN") && !r.stdout.contains("Infinity") && !r.stdout.contains(": inf"),
                    "a non-finite figure: \(context)")
        }
    }

    /// Every number of every bundled scenario, each set to a hostile value picked by a fixed stream
    /// from the extremes (two draws in three) and log-uniform magnitudes 10^-320 ... 10^310 of
    /// either sign (a different pick per site, the same on every run).
    /// `SUBCAST_PROPERTY_EXHAUSTIVE=1` tries every extreme at every site instead (about 15,000
    /// runs; CI does, with the release build: `SUBCAST_EXECUTABLE` names the binary).
    @Test func anyValueOfAnyNumericKeyGivesAResultOrALocatedError() throws {
        let corpus = Self.corpus
        try #require(!corpus.isEmpty, "no bundled scenarios under \(packageRoot.path)/Scenarios")
        let ws = try Workspace()
        defer { ws.cleanup() }
        let values = Self.extremes + Self.moreExtremes
        let exhaustive = ProcessInfo.processInfo.environment["SUBCAST_PROPERTY_EXHAUSTIVE"] == "1"
        if exhaustive {
            // Every (site, value), on two lanes (the runs are independent processes).
            let cases = corpus.flatMap { c in c.sites.flatMap { site in values.map { (c.name, c.text, site, $0) } } }
            DispatchQueue.concurrentPerform(iterations: 2) { lane in
                for k in stride(from: lane, to: cases.count, by: 2) {
                    let (name, text, site, value) = cases[k]
                    do { try Self.check(ws, name, text, site, value, lane: lane) } catch { Issue.record("\(site) set to \(value): \(error)") }
                }
            }
            return
        }
        var rng = FitTestRandom(seed: 20261202)
        for (name, text, sites) in corpus {
            for site in sites {
                let r = rng.next()
                let value: String
                if r % 3 != 0 {
                    value = values[Int((r >> 8) % UInt64(values.count))]
                } else {
                    let exponent = -320 + 630 * Double(r >> 11) / Double(1 << 53)
                    value = ((r >> 2) & 1 == 1 ? "-" : "") + String(pow(10, exponent))
                }
                try Self.check(ws, name, text, site, value)
            }
        }
    }

    /// A random search on top (off by default: its cases change from run to run, so it is for
    /// looking, not for CI): `SUBCAST_PROPERTY_COUNT=500 swift test --filter NumericPropertyTests`.
    @Test(.enabled(if: ProcessInfo.processInfo.environment["SUBCAST_PROPERTY_COUNT"] != nil))
    func randomSearchOverEveryNumericKey() async throws {
        let corpus = Self.corpus
        let ws = try Workspace()
        defer { ws.cleanup() }
        let counts = corpus.map(\.sites.count)
        let total = counts.reduce(0, +)
        let count = ProcessInfo.processInfo.environment["SUBCAST_PROPERTY_COUNT"].flatMap { Int($0) } ?? 48
        await propertyCheck(count: count, input: Gen.int(in: 0...(total - 1)), Gen.int(in: 0...(Self.extremes.count * 2 - 1)),
                            Gen.double(in: -320...310), Gen.bool) { siteNumber, choice, exponent, negative in
            var k = siteNumber, f = 0
            while k >= counts[f] { k -= counts[f]; f += 1 }
            let (name, text, sites) = corpus[f]
            // Half the draws are extremes, half random magnitudes 10^-320 ... 10^310 of either sign.
            let value = choice < Self.extremes.count ? Self.extremes[choice]
                : (negative ? "-" : "") + String(pow(10, exponent))
            try! Self.check(ws, name, text, sites[k], value)
        }
    }
}
