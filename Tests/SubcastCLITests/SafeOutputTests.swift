import Foundation
import Testing

/// The one output layer (`OutputPlan`): no command writes a device, FIFO, directory or symbolic
/// link, overwrites one of its own inputs or writes two outputs to one path, and every refusal
/// comes before the simulation (exit 1 like every write failure, nothing written); write errors
/// on stdout exit 1 too.
@Suite struct SafeOutputTests {
    /// Runs with stdout going to `/dev/full` (every write fails with ENOSPC).
    static func runToFullDisk(_ arguments: [String], in ws: Workspace) throws -> (Int32, String) {
        let errPath = ws.file(".stderr-full")
        _ = FileManager.default.createFile(atPath: errPath, contents: nil)
        let p = Process()
        p.executableURL = subcastExecutable
        p.arguments = arguments
        p.currentDirectoryURL = URL(fileURLWithPath: ws.file("."))
        p.standardInput = FileHandle.nullDevice
        p.standardOutput = try #require(FileHandle(forWritingAtPath: "/dev/full"))
        p.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: errPath))
        try p.run()
        p.waitUntilExit()
        return (p.terminationStatus, (try? String(contentsOfFile: errPath, encoding: .utf8)) ?? "")
    }

    @Test func aFullDiskOnStandardOutputIsAnErrorNotACrash() throws {
        let ws = try Workspace()
        defer { ws.cleanup() }
        let path = try ws.write("s.yaml", smallScenario())
        for command in [["run", path, "--trials", "20"], ["validate", path]] {
            let (status, stderr) = try Self.runToFullDisk(command, in: ws)
            #expect(status == 1, "\(command): exit \(status), \(stderr)")
            #expect(stderr.contains("cannot write standard output"), "\(command): \(stderr)")
        }
    }

    @Test func refusesEveryTargetThatIsNotARegularFile() throws {
        let ws = try Workspace()
        defer { ws.cleanup() }
        let path = try ws.write("s.yaml", smallScenario())
        #expect(mkfifo(ws.file("fifo"), 0o644) == 0)
        try FileManager.default.createDirectory(atPath: ws.file("dir"), withIntermediateDirectories: false)
        try FileManager.default.createSymbolicLink(atPath: ws.file("link.html"), withDestinationPath: path)
        for (target, says) in [("fifo", "not a regular file"), ("dir", "is a directory"), ("link.html", "symbolic link")] {
            let r = try ws.run(["run", path, "--trials", "20", "--quiet", "--report", target])
            #expect(r.status == 1, "--report \(target): exit \(r.status), \(r.stderr)")
            #expect(r.stderr.contains(says) && r.stdout.isEmpty, "--report \(target): \(r.stderr)")
        }
        #expect(try String(contentsOfFile: path, encoding: .utf8) == smallScenario(), "the symlink's target is untouched")
    }

    @Test func neverOverwritesAnInputOrWritesTwoOutputsToOnePath() throws {
        let ws = try Workspace()
        defer { ws.cleanup() }
        let text = smallScenario()
        let path = try ws.write("summary.json", text)
        try FileManager.default.createDirectory(atPath: ws.file("o"), withIntermediateDirectories: false)
        let variants = try ws.write("v.yaml", CompareCommandTests.withVariants())
        let data = try ws.write("retention.csv", "cohort,0,1,2,3\nregular,1000,631,468,382\n")
        let cases: [[String]] = [
            ["run", path, "--out", "."],                          // summary.json is the scenario
            ["run", path, "--report", "./summary.json"],          // another spelling of it
            ["run", path, "--partial", "summary.json"],
            ["run", path, "--out", "o", "--report", "o/summary.txt"],
            ["compare", variants, "--out", "v.yaml"],
            ["compare", variants, "--report", "v.yaml"],
            ["fit", data, "--report", "retention.csv"],
        ]
        for args in cases {
            let r = try ws.run(args + (args[0] == "fit" ? [] : ["--trials", "20", "--quiet"]))
            #expect(r.status == 1, "\(args): exit \(r.status), \(r.stderr)")
            #expect(r.stderr.contains("is an input of this command") || r.stderr.contains("already an output of this command"),
                    "\(args): \(r.stderr)")
            #expect(r.stdout.isEmpty, "\(args): nothing printed")
        }
        #expect(try String(contentsOfFile: variants, encoding: .utf8) == CompareCommandTests.withVariants())
        #expect(try String(contentsOfFile: data, encoding: .utf8) == "cohort,0,1,2,3\nregular,1000,631,468,382\n")
        #expect(try String(contentsOfFile: path, encoding: .utf8) == text, "the scenario is unchanged")
        #expect(try FileManager.default.contentsOfDirectory(atPath: ws.file("o")).isEmpty, "nothing half-written")
        // A hard link is the same file under another name.
        try FileManager.default.linkItem(atPath: path, toPath: ws.file("alias.html"))
        let r = try ws.run(["run", path, "--trials", "20", "--quiet", "--report", "alias.html"])
        #expect(r.status == 1 && r.stderr.contains("is an input of this command"), "\(r.stderr)")
    }

    @Test func anyChangedByteOrTruncationOfAPartialIsRefused() throws {
        let ws = try Workspace()
        defer { ws.cleanup() }
        let path = try ws.write("s.yaml", smallScenario(trials: 200))
        let r = try ws.run(["run", path, "--shard", "0/1", "--partial", "p.subcast", "--quiet"])
        #expect(r.status == 0, "\(r.stderr)")
        let good = try Data(contentsOf: URL(fileURLWithPath: ws.file("p.subcast")))
        #expect(try ws.run(["merge", "p.subcast", "--quiet"]).status == 0)
        // A flipped hex digit in a block line, in a sketch line and in the scenario text; a cut file.
        let text = String(decoding: good, as: UTF8.self)
        var damaged: [String] = []
        for marker in ["\nblock 0 ", "\nsketch 3 ", "\nplans:"] {
            guard let range = text.range(of: marker) else { Issue.record("no \(marker) in the partial"); continue }
            var chars = Array(text)
            var i = text.distance(from: text.startIndex, to: range.upperBound) + 3
            while !chars[i].isHexDigit { i += 1 }
            chars[i] = chars[i] == "0" ? "1" : "0"
            damaged.append(String(chars))
        }
        damaged.append(String(text.prefix(text.count * 2 / 3)))
        for (k, bad) in damaged.enumerated() {
            try ws.write("bad\(k).subcast", bad)
            let m = try ws.run(["merge", "bad\(k).subcast", "--quiet"])
            #expect(m.status == 2, "case \(k): exit \(m.status), \(m.stderr)")
            #expect(m.stderr.contains("damaged"), "case \(k): \(m.stderr)")
            #expect(m.stdout.isEmpty)
        }
    }

    @Test func ctrlCStopsWithinASecondEvenInsideOneHugeTrial() throws {
        let ws = try Workspace()
        defer { ws.cleanup() }
        let plans = (0..<50).map { "  - {name: p\($0), price_per_month: 10, churn: {mean_per_month: 0.05, heterogeneity: 0.2}}" }
        let existing = (0..<2000).map { "  - {plan: p\($0 % 50), count: 10, tenure_months: \($0 % 40)}" }
        let text = "name: huge\nhorizon_months: 1200\ntrials: 2\nseed: 1\nplans:\n" + plans.joined(separator: "\n")
            + "\nexisting:\n" + existing.joined(separator: "\n")
            + "\nsupport: {agents: 2, tickets_per_agent_per_month: 100, first_contact_resolution: 0.8, "
            + "bad_resolution: {months: 24}, good_resolution: {months: 24}}\n"
        let path = try ws.write("huge.yaml", text)
        let p = Process()
        p.executableURL = subcastExecutable
        p.arguments = ["run", path, "--allow-large", "--quiet"]
        p.standardInput = FileHandle.nullDevice
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        try p.run()
        Thread.sleep(forTimeInterval: 3)
        #expect(p.isRunning, "one trial of this scenario takes minutes")
        let signalled = Date()
        kill(p.processIdentifier, SIGINT)
        while p.isRunning && Date().timeIntervalSince(signalled) < 20 { Thread.sleep(forTimeInterval: 0.02) }
        let waited = Date().timeIntervalSince(signalled)
        if p.isRunning { kill(p.processIdentifier, SIGKILL) }
        p.waitUntilExit()
        #expect(p.terminationStatus == 130, "exit \(p.terminationStatus)")
        #expect(waited < 2, "stopped \(waited) s after Ctrl-C")
    }

    /// Ctrl-C (once, twice) or SIGTERM twice while the outputs are being written: the command
    /// finishes the commit under way, so every output is new, none is old, and no temporary
    /// file is left. The write phase is held open with `SUBCAST_TEST_COMMIT_DELAY`.
    @Test(arguments: [[SIGINT], [SIGINT, SIGINT], [SIGTERM, SIGTERM], [SIGINT, SIGTERM, SIGINT]])
    func signalsDuringTheWritePhaseLeaveAllNewFilesAndNoTemporaries(_ signals: [Int32]) throws {
        let ws = try Workspace()
        defer { ws.cleanup() }
        let path = try ws.write("s.yaml", smallScenario(trials: 50))
        // The old outputs, from another seed.
        let first = try ws.run(["run", path, "--seed", "1", "--out", "out", "--report", "r.html", "--quiet"])
        #expect(first.status == 0, "\(first.stderr)")
        let outDir = ws.file("out")
        let names = try FileManager.default.contentsOfDirectory(atPath: outDir).sorted()
        #expect(names.count >= 2, "\(names)")
        var old: [String: Data] = [:]
        for n in names { old[n] = FileManager.default.contents(atPath: outDir + "/" + n) }
        old["r.html"] = FileManager.default.contents(atPath: ws.file("r.html"))

        let p = Process()
        p.executableURL = subcastExecutable
        p.arguments = ["run", path, "--seed", "2", "--out", "out", "--report", "r.html", "--quiet"]
        p.currentDirectoryURL = ws.url
        var environment = ProcessInfo.processInfo.environment
        environment["SUBCAST_TEST_COMMIT_DELAY"] = "2"
        p.environment = environment
        p.standardInput = FileHandle.nullDevice
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        try p.run()
        // Wait until the temporaries exist: the command is inside its commit.
        func temporaries() -> [String] {
            let here = (try? FileManager.default.contentsOfDirectory(atPath: ws.url.path)) ?? []
            let inOut = (try? FileManager.default.contentsOfDirectory(atPath: outDir)) ?? []
            return (here + inOut).filter { $0.contains(".tmp-") }
        }
        let started = Date()
        while temporaries().isEmpty && p.isRunning && Date().timeIntervalSince(started) < 60 { Thread.sleep(forTimeInterval: 0.01) }
        #expect(!temporaries().isEmpty, "the command never reached its write phase")
        for sig in signals {
            kill(p.processIdentifier, sig)
            Thread.sleep(forTimeInterval: 0.1)
        }
        while p.isRunning && Date().timeIntervalSince(started) < 60 { Thread.sleep(forTimeInterval: 0.02) }
        if p.isRunning { kill(p.processIdentifier, SIGKILL) }
        p.waitUntilExit()
        #expect([0, 130].contains(p.terminationStatus), "exit \(p.terminationStatus) after \(signals)")
        #expect(temporaries().isEmpty, "temporary files left: \(temporaries())")
        // All new: every file changed (another seed), none is missing or old.
        let after = try FileManager.default.contentsOfDirectory(atPath: outDir).sorted()
        #expect(after == names)
        for n in names {
            let now = FileManager.default.contents(atPath: outDir + "/" + n)
            #expect(now != nil && now != old[n], "\(n) is old after \(signals)")
        }
        let report = FileManager.default.contents(atPath: ws.file("r.html"))
        #expect(report != nil && report != old["r.html"], "r.html is old after \(signals)")
    }

    @Test func anUnwritableOutIsFoundBeforeTheSimulation() throws {
        let ws = try Workspace()
        defer { ws.cleanup() }
        let path = try ws.write("s.yaml", smallScenario(trials: 200))
        let started = Date()
        let r = try ws.run(["run", path, "--trials", "10000000", "--allow-large", "--out", "s.yaml/results"])
        #expect(r.status == 1 && r.stderr.contains("is not a directory"), "\(r.stderr)")
        #expect(Date().timeIntervalSince(started) < 30, "refused before 10,000,000 trials were simulated")
        #expect(!r.stderr.contains("trials in"), "nothing was simulated: \(r.stderr)")
    }
}
