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

    @Test func failedRenameLeavesNoTemporaryFile() throws {
        let dir = try TempDir("out")
        defer { dir.cleanup() }
        // summary.json is a non-empty directory, so renaming a file onto it fails.
        try FileManager.default.createDirectory(atPath: dir.file("summary.json/inner"), withIntermediateDirectories: true)
        #expect(throws: OutputFiles.WriteError.self) {
            try OutputFiles.write([("summary.txt", "t\n"), ("summary.json", "{}\n")], to: dir.path)
        }
        #expect(dir.contents() == ["summary.json", "summary.txt"], "temporary files left behind: \(dir.contents())")
    }
}
