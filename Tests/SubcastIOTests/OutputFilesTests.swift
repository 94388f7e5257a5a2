import Foundation
import Testing
@testable import SubcastIO

@Suite struct OutputFilesTests {
    static let files = [("summary.txt", "table\n"), ("summary.csv", "month,metric,statistic,value\n"), ("summary.json", "{}\n")]

    @Test func writesEveryFileAndLeavesNoTemporaryFiles() throws {
        let dir = try TempDir("out")
        defer { dir.cleanup() }
        let target = dir.file("nested/results")
        try OutputFiles.write(Self.files, to: target)
        #expect(try FileManager.default.contentsOfDirectory(atPath: target).sorted() == ["summary.csv", "summary.json", "summary.txt"])
        for (name, contents) in Self.files {
            #expect(try String(contentsOfFile: target + "/" + name, encoding: .utf8) == contents)
        }
    }

    @Test func replacesExistingFilesByRenameNotTruncation() throws {
        let dir = try TempDir("out")
        defer { dir.cleanup() }
        let path = dir.file("summary.json")
        try Data("old contents\n".utf8).write(to: URL(fileURLWithPath: path))
        // A hard link to the old file keeps the old inode: if the writer truncated and rewrote the
        // file in place, the link would show the new contents too.
        let link = dir.file("old-link")
        try FileManager.default.linkItem(atPath: path, toPath: link)
        try OutputFiles.write([("summary.json", "{\"new\": true}\n")], to: dir.path)
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "{\"new\": true}\n")
        #expect(try String(contentsOfFile: link, encoding: .utf8) == "old contents\n")
        #expect(dir.contents() == ["old-link", "summary.json"])
    }

    @Test func refusesARegularFileAsTheDirectory() throws {
        let dir = try TempDir("out")
        defer { dir.cleanup() }
        let path = try dir.write("results", "precious\n")
        #expect {
            try OutputFiles.write(Self.files, to: path)
        } throws: { error in
            guard let e = error as? OutputFiles.WriteError else { return false }
            return e.path == path && e.reason.contains("exists and is not a directory")
                && e.description == "cannot write \(path): exists and is not a directory"
        }
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "precious\n")
        #expect(dir.contents() == ["results"])
    }

    @Test func aDirectoryInTheWayChangesNothing() throws {
        let dir = try TempDir("out")
        defer { dir.cleanup() }
        // summary.json is a non-empty directory, so renaming a file onto it fails.
        try FileManager.default.createDirectory(atPath: dir.file("summary.json/inner"), withIntermediateDirectories: true)
        #expect(throws: OutputFiles.WriteError.self) {
            try OutputFiles.write([("summary.txt", "t\n"), ("summary.json", "{}\n")], to: dir.path)
        }
        // The directory in the way is found before anything is written: nothing changes.
        #expect(dir.contents() == ["summary.json"], "files or temporary files left behind: \(dir.contents())")
    }
}

@Suite struct OutputPlanTests {
    @Test func commitsAllFilesOrNone() throws {
        let dir = try TempDir("plan")
        defer { dir.cleanup() }
        let input = try dir.write("scenario.yaml", "name: x\n")
        var plan = OutputPlan(inputs: [input])
        try plan.add(directory: dir.file("results"), names: ["a.txt", "b.txt"])
        try plan.add(file: dir.file("report.html"))
        #expect(plan.paths.count == 3)
        #expect(!FileManager.default.fileExists(atPath: dir.file("results")), "planning creates nothing")
        try plan.commit([dir.file("results/a.txt"): "a", dir.file("results/b.txt"): "b", dir.file("report.html"): "r"])
        #expect(dir.contents() == ["report.html", "results", "scenario.yaml"])
        #expect(try String(contentsOfFile: dir.file("results/b.txt"), encoding: .utf8) == "b")
        // A target that became a directory after planning: nothing is replaced, no temporary file stays.
        try FileManager.default.removeItem(atPath: dir.file("report.html"))
        try FileManager.default.createDirectory(atPath: dir.file("report.html"), withIntermediateDirectories: false)
        #expect(throws: OutputFiles.WriteError.self) {
            try plan.commit([dir.file("results/a.txt"): "new a", dir.file("results/b.txt"): "new b", dir.file("report.html"): "r"])
        }
        #expect(try String(contentsOfFile: dir.file("results/a.txt"), encoding: .utf8) == "a")
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.file("results")).sorted() == ["a.txt", "b.txt"])
    }

    @Test func refusesInputsDuplicatesAndSpecialFiles() throws {
        let dir = try TempDir("plan")
        defer { dir.cleanup() }
        let input = try dir.write("data.csv", "x\n")
        var plan = OutputPlan(inputs: [input])
        try plan.add(file: dir.file("out.json"))
        let cases: [(file: String?, directory: String?, says: String)] = [
            (dir.file("./data.csv"), nil, "is an input"),
            (nil, dir.path, "is an input"),
            (dir.file("out.json"), nil, "already an output"),
            ("/dev/null", nil, "not a regular file"),
            (dir.file("missing/x.json"), nil, "does not exist"),
        ]
        for c in cases {
            var reason = ""
            do {
                if let f = c.file { try plan.add(file: f) } else { try plan.add(directory: c.directory!, names: ["data.csv"]) }
            } catch {
                reason = error.reason
            }
            #expect(reason.contains(c.says), "\(c): \(reason)")
        }
        #expect(plan.paths == [dir.file("out.json")])
    }
}
