import Foundation
import Testing

/// Output users take elsewhere: --percentiles, --csv-layout wide and --per-trial.
@Suite struct PortableOutputTests {
    /// A scenario with two uncertain inputs (their draws are --per-trial columns).
    static let uncertain = smallScenario(trials: 300).replacingOccurrences(
        of: "churn: {mean_per_month: 0.03, heterogeneity: 0.1}",
        with: "churn: {mean_per_month: {distribution: uniform, min: 0.02, max: 0.04}, heterogeneity: 0.1}")
        .replacingOccurrences(of: "new_per_month: 40", with: "new_per_month: {distribution: normal, mean: 40, sd: 4}")

    /// Rows of a long CSV: (month, metric, statistic) -> value.
    static func long(_ text: String) -> [String: String] {
        var out: [String: String] = [:]
        for line in text.split(separator: "\n").dropFirst() {
            let f = line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            if f.count == 4 { out["\(f[0]),\(f[1]),\(f[2])"] = f[3] }
        }
        return out
    }

    /// The extra percentiles sit beside the standard ones; the standard ones do not move; the
    /// extra ones agree with numpy-style type-7 quantiles of the per-trial values (within the
    /// sketch's 1e-4 relative accuracy); the table shows the requested columns.
    @Test func percentilesAreAddedAndAgreeWithThePerTrialValues() throws {
        let ws = try Workspace()
        defer { ws.cleanup() }
        let path = try ws.write("u.yaml", Self.uncertain)
        let plain = try ws.run(["run", path, "--format", "csv", "--quiet"])
        let more = try ws.run(["run", path, "--format", "csv", "--quiet", "--percentiles", "90,10,2.5", "--per-trial", "t.csv",
                               "--per-trial-metrics", "mrr@12"])
        #expect(plain.status == 0 && more.status == 0, "\(more.stderr)")
        let a = Self.long(plain.stdout), b = Self.long(more.stdout)
        for (k, v) in a { #expect(b[k] == v, "\(k) changed with --percentiles") }
        let p10 = try #require(Double(b["12,mrr,p10"] ?? ""), "no p10 row")
        let p90 = try #require(Double(b["12,mrr,p90"] ?? "")), p25 = try #require(Double(b["12,mrr,p2.5"] ?? ""))
        #expect(b["12,mrr,se_p10"] != nil)
        let rows = try String(contentsOfFile: ws.file("t.csv"), encoding: .utf8).split(separator: "\n").dropFirst()
        let xs = rows.map { Double($0.split(separator: ",")[1])! }.sorted()
        #expect(xs.count == 300)
        func q(_ p: Double) -> Double {
            let h = Double(xs.count - 1) * p, i = Int(h)
            return i + 1 < xs.count ? xs[i] + (h - Double(i)) * (xs[i + 1] - xs[i]) : xs[i]
        }
        for (got, p) in [(p10, 0.1), (p90, 0.9), (p25, 0.025)] {
            #expect(abs(got - q(p)) <= 2e-4 * abs(q(p)) + 1e-9, "p\(p * 100): \(got) vs exact \(q(p))")
        }
        let table = try ws.run(["run", path, "--quiet", "--percentiles", "10,90"])
        #expect(table.stdout.contains("MRR P10") && table.stdout.contains("MRR P90") && !table.stdout.contains("MRR P95"))
        let json = try ws.run(["run", path, "--quiet", "--format", "json", "--percentiles", "10"])
        #expect(json.stdout.contains("\"p10\"") && json.stdout.contains("\"se_p10\""))
        for bad in ["0", "100", "x", "10,,20", "-5"] {
            let r = try ws.run(["run", path, "--quiet", "--percentiles=\(bad)"])
            #expect(r.status == 2 && r.stderr.contains("--percentiles"), "\(bad): \(r.stderr)")
        }
        let compare = try ws.write("c.yaml", Self.uncertain + "\nvariants:\n  - {name: more, set: {acquisition.growth_per_month: 0.05}}\n")
        let c = try ws.run(["compare", compare, "--format", "csv", "--quiet", "--percentiles", "10"])
        #expect(c.status == 0 && c.stdout.contains(",p10,"), "\(c.stderr)")
    }

    /// The wide layout holds the long layout's monthly values, one row per month.
    @Test func theWideLayoutHasTheLongLayoutsMonthlyValues() throws {
        let ws = try Workspace()
        defer { ws.cleanup() }
        let path = try ws.write("u.yaml", Self.uncertain)
        let long = Self.long(try ws.run(["run", path, "--format", "csv", "--quiet"]).stdout)
        let wide = try ws.run(["run", path, "--format", "csv", "--quiet", "--csv-layout", "wide"])
        #expect(wide.status == 0, "\(wide.stderr)")
        let lines = wide.stdout.split(separator: "\n").map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
        let header = lines[0]
        #expect(header[0] == "month" && lines.count == 13 && lines.allSatisfy { $0.count == header.count })
        var checked = 0
        for row in lines.dropFirst() {
            for (j, name) in header.enumerated().dropFirst() {
                // Metric names hold underscores too: find the split the long layout knows.
                var found = false
                var i = name.startIndex
                while let u = name[i...].firstIndex(of: "_") {
                    let key = "\(row[0]),\(name[..<u]),\(name[name.index(after: u)...])"
                    if let v = long[key] { #expect(v == row[j], "\(key)"); found = true; checked += 1; break }
                    i = name.index(after: u)
                }
                #expect(found, "\(name) month \(row[0]) is not in the long layout")
            }
        }
        #expect(checked > 12 * 50)
        let out = try ws.run(["run", path, "--quiet", "--csv-layout", "wide", "--out", "res"])
        let file = try String(contentsOfFile: ws.file("res/summary.csv"), encoding: .utf8)
        #expect(out.status == 0 && file == wide.stdout)
    }

    /// One row per trial: their mean is the summary's mean exactly, the inputs' columns are the
    /// draws (inside their ranges), and the file is the same on any number of threads.
    @Test func perTrialRowsAreTheSummarisedTrials() throws {
        let ws = try Workspace()
        defer { ws.cleanup() }
        let path = try ws.write("u.yaml", Self.uncertain)
        let r = try ws.run(["run", path, "--format", "csv", "--quiet", "--per-trial", "a.csv", "--threads", "2"])
        let one = try ws.run(["run", path, "--quiet", "--per-trial", "b.csv", "--threads", "1"])
        #expect(r.status == 0 && one.status == 0, "\(r.stderr)")
        let a = try String(contentsOfFile: ws.file("a.csv"), encoding: .utf8)
        #expect(a == (try String(contentsOfFile: ws.file("b.csv"), encoding: .utf8)))
        let rows = a.split(separator: "\n").map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
        let header = rows[0]
        #expect(header.first == "trial" && header.contains("mrr@12") && header.contains("cltv") && rows.count == 301)
        let inputColumns = header.indices.filter { header[$0].hasPrefix("input:") }
        #expect(inputColumns.count == 2, "\(header)")
        let mrr = header.firstIndex(of: "mrr@12")!
        let values = rows.dropFirst().map { Double($0[mrr])! }
        var sum = 0.0
        for v in values { sum += v }
        let mean = try #require(Double(Self.long(r.stdout)["12,mrr,mean"] ?? ""))
        #expect(abs(sum / 300 - mean) <= 1e-9 * abs(mean), "per-trial mean \(sum / 300), summary \(mean)")
        let churn = inputColumns.first { header[$0].contains("churn") }!
        #expect(rows.dropFirst().allSatisfy { Double($0[churn])! >= 0.02 && Double($0[churn])! <= 0.04 })
        let bad = try ws.run(["run", path, "--quiet", "--per-trial", "c.csv", "--per-trial-metrics", "mrr@99"])
        #expect(bad.status == 2 && bad.stderr.contains("--per-trial-metrics") && !FileManager.default.fileExists(atPath: ws.file("c.csv")))
        let alone = try ws.run(["run", path, "--quiet", "--per-trial-metrics", "mrr"])
        #expect(alone.status == 2 && alone.stderr.contains("--per-trial"))
        let shard = try ws.run(["run", path, "--quiet", "--per-trial", "d.csv", "--shard", "0/2", "--partial", "p.subcast"])
        #expect(shard.status == 2, "\(shard.stderr)")
        let clash = try ws.run(["run", path, "--quiet", "--per-trial", "u.yaml"])
        #expect(clash.status == 1 && clash.stderr.contains("input"), "\(clash.stderr)")
    }
}
