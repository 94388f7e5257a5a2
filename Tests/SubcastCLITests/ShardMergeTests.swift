import Foundation
import Testing

/// `--shard I/N --partial FILE` and `subcast merge`: byte-identical to one process.
@Suite struct ShardMergeTests {
    @Test(arguments: [2, 3])
    func shardsMergeToTheSingleRunByteForByte(_ n: Int) throws {
        let ws = try Workspace()
        defer { ws.cleanup() }
        // n merge blocks of 4096 trials, the last one partial, so every shard has one.
        let trials = 4096 * (n - 1) + 100
        let path = try ws.write("s.yaml", smallScenario(horizon: 6, trials: trials))
        let one = try ws.run(["run", "s.yaml", "--out", "one", "--quiet", "--format", "json"])
        #expect(one.status == 0, "\(one.stderr)")
        var files: [String] = []
        for i in 0..<n {
            let f = "part-\(i).subcast"
            let r = try ws.run(["run", "s.yaml", "--shard", "\(i)/\(n)", "--partial", f, "--threads", "\(1 + i % 2)"])
            #expect(r.status == 0 && r.stdoutData.isEmpty, "\(r.stderr)")
            files.append(f)
        }
        let merged = try ws.run(["merge"] + files.reversed() + ["--out", "merged", "--quiet", "--format", "json"])
        #expect(merged.status == 0, "\(merged.stderr)")
        #expect(merged.stdoutData == one.stdoutData, "\(n) shards: merged JSON differs from the single run (seed 4242, \(path))")
        for file in ["summary.json", "summary.csv", "summary.txt"] {
            let a = FileManager.default.contents(atPath: ws.file("one/\(file)"))
            let b = FileManager.default.contents(atPath: ws.file("merged/\(file)"))
            #expect(a != nil && a == b, "\(n) shards: \(file) differs from the single run")
        }
    }

    @Test func mismatchedOrIncompletePartialsAreRefused() throws {
        let ws = try Workspace()
        defer { ws.cleanup() }
        _ = try ws.write("s.yaml", smallScenario(horizon: 6, trials: 4200))
        _ = try ws.write("t.yaml", smallScenario(name: "other", horizon: 6, trials: 4200))
        func part(_ args: [String]) throws { let r = try ws.run(["run"] + args); #expect(r.status == 0, "\(r.stderr)") }
        try part(["s.yaml", "--shard", "0/2", "--partial", "a0"])
        try part(["s.yaml", "--shard", "1/2", "--partial", "a1"])
        try part(["s.yaml", "--shard", "1/2", "--partial", "seed", "--seed", "7"])
        try part(["t.yaml", "--shard", "1/2", "--partial", "other"])
        try part(["s.yaml", "--shard", "1/2", "--partial", "trials", "--trials", "4100"])
        for (files, fragment) in [(["a0"], "missing shard(s) 1/2"), (["a0", "a0"], "also given"),
                                  (["a0", "seed"], "the seed"), (["a0", "other"], "the scenario"),
                                  (["a0", "trials"], "the number of trials"), (["a0", "s.yaml"], "not a Subcast partial result"),
                                  (["a0", "nope"], "no such file")] {
            let r = try ws.run(["merge"] + files)
            #expect(r.status == 2 && r.stderr.contains(fragment) && r.stdoutData.isEmpty, "\(files): \(r.stderr)")
        }
        // A truncated partial names the file and line.
        let text = try String(contentsOfFile: ws.file("a1"), encoding: .utf8)
        _ = try ws.write("cut", String(text.prefix(text.count / 2)))
        let cut = try ws.run(["merge", "a0", "cut"])
        #expect(cut.status == 2 && cut.stderr.contains("cut:"), "\(cut.stderr)")
        // A partial of the format before the bounded sketch is refused with a clear message, and
        // so is a sketch line whose level is out of range.
        #expect(text.hasPrefix("subcast-partial 3\n"))
        for format in ["1", "2"] {
            _ = try ws.write("old", "subcast-partial \(format)\n" + text.dropFirst("subcast-partial 3\n".count))
            let old = try ws.run(["merge", "a0", "old"])
            #expect(old.status == 2 && old.stderr.contains("older Subcast") && old.stderr.contains("re-run"), "\(old.stderr)")
        }
        // The sketch parser's own bounds, behind a valid digest (re-signed here with FNV-1a 64).
        func signed(_ body: String) -> String {
            var h: UInt64 = 0xcbf2_9ce4_8422_2325
            for b in body.utf8 { h = (h ^ UInt64(b)) &* 0x100_0000_01b3 }
            let hex = String(h, radix: 16)
            return body + "digest " + String(repeating: "0", count: 16 - hex.count) + hex + "\n"
        }
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        #expect(lines.suffix(2).first?.hasPrefix("digest ") == true && lines.last == "")
        lines.removeLast(2)                          // the digest line and the empty string after it
        let k = try #require(lines.firstIndex { $0.hasPrefix("sketch 0 ") })
        var f = lines[k].split(separator: " ").map(String.init)
        f[3] = "99"                                 // the level: "sketch", j, accuracy, level, ...
        var tampered = lines
        tampered[k] = f.joined(separator: " ")
        _ = try ws.write("level", signed(tampered.joined(separator: "\n") + "\n"))
        let level = try ws.run(["merge", "a0", "level"])
        #expect(level.status == 2 && level.stderr.contains("malformed sketch for series 0"), "\(level.stderr)")
        // Option errors.
        for args in [["s.yaml", "--shard", "2/2", "--partial", "x"], ["s.yaml", "--shard", "0/2"],
                     ["s.yaml", "--shard", "a/b", "--partial", "x"], ["s.yaml", "--partial", "x", "--out", "d"]] {
            let r = try ws.run(["run"] + args)
            #expect(r.status == 2, "\(args): \(r.status) \(r.stderr)")
        }
    }
}
