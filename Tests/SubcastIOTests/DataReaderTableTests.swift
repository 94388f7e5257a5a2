import Foundation
import Testing
import SubcastCore
@testable import SubcastIO

@Suite struct DataReaderCSVTests {
    func rows(_ text: String) throws -> [CSVRow] { try CSVReader.parse(data: Data(text.utf8), file: "t.csv") }

    @Test func plainRowsWithAndWithoutTrailingNewline() throws {
        let expected = [CSVRow(line: 1, fields: ["a", "b"]), CSVRow(line: 2, fields: ["1", "2"])]
        #expect(try rows("a,b\n1,2\n") == expected)
        #expect(try rows("a,b\n1,2") == expected)
        #expect(try rows("a,b\r\n1,2\r\n") == expected)
        #expect(try rows("a,b\r1,2") == expected)
    }

    @Test func quotedFieldsHoldCommasQuotesAndLineBreaks() throws {
        let r = try rows("label,note\n\"Jan, 2024\",\"say \"\"hi\"\"\"\n\"two\nlines\",x\nlast,\"\"\n")
        #expect(r == [CSVRow(line: 1, fields: ["label", "note"]),
                      CSVRow(line: 2, fields: ["Jan, 2024", "say \"hi\""]),
                      CSVRow(line: 3, fields: ["two\nlines", "x"]),
                      CSVRow(line: 5, fields: ["last", ""])])
    }

    @Test func spacesAroundQuotesAndLiteralQuotesInUnquotedFields() throws {
        #expect(try rows("a, \"b,c\" ,12\" pizza\n") == [CSVRow(line: 1, fields: ["a", "b,c", "12\" pizza"])])
    }

    @Test func bomCommentsAndBlankRowsAreSkippedButCounted() throws {
        let text = "\u{FEFF}# exported today\r\ncohort,0\r\n\r\n   \r\n,,,\r\n# another\r\n\"#1\",5\r\n"
        #expect(try rows(text) == [CSVRow(line: 2, fields: ["cohort", "0"]), CSVRow(line: 7, fields: ["#1", "5"])])
    }

    @Test func trailingCommaGivesAnEmptyLastField() throws {
        #expect(try rows("a,b,") == [CSVRow(line: 1, fields: ["a", "b", ""])])
        #expect(try rows("a,b,\n")[0][5] == "")
    }

    @Test func emptyInputGivesNoRows() throws {
        #expect(try rows("").isEmpty)
        #expect(try rows("\u{FEFF}").isEmpty)
        #expect(try rows("# only a comment\n\n").isEmpty)
    }

    @Test func unterminatedQuoteNamesItsLine() throws {
        let e = #expect(throws: ScenarioError.self) { try rows("a,b\n1,\"open\n2,3\n") }
        #expect(e?.line == 2 && e?.column == 2 && e?.keyPath == "")
        #expect(e?.message.contains("never closed") == true)
    }

    @Test func textAfterClosingQuote() throws {
        let e = #expect(throws: ScenarioError.self) { try rows("a,b\n\"x\"y,1\n") }
        #expect(e?.line == 2 && e?.column == 1)
        #expect(e?.message.contains("after a closing quote") == true)
    }

    @Test func binaryJunkIsRejected() throws {
        var nul = Data("a,b\n1,2\n".utf8)
        nul.append(contentsOf: [0x33, 0x00, 0x01, 0x0A])
        let e1 = #expect(throws: ScenarioError.self) { try CSVReader.parse(data: nul, file: "bin.csv") }
        #expect(e1?.line == 3 && e1?.message.contains("NUL byte") == true)

        let latin1 = Data("a,b\n".utf8) + Data([0x63, 0x61, 0x66, 0xE9, 0x2C, 0x31, 0x0A])
        let e2 = #expect(throws: ScenarioError.self) { try CSVReader.parse(data: latin1, file: "l.csv") }
        #expect(e2?.line == 2 && e2?.message.contains("not valid UTF-8 (byte 0xE9)") == true)

        let utf16 = Data([0xFF, 0xFE, 0x61, 0x00, 0x2C, 0x00])
        let e3 = #expect(throws: ScenarioError.self) { try CSVReader.parse(data: utf16, file: "u.csv") }
        #expect(e3?.message.contains("UTF-16") == true)

        var random = [UInt8](repeating: 0, count: 4096)
        var x: UInt64 = 0x9E37_79B9_7F4A_7C15
        for i in random.indices { x = x &* 6_364_136_223_846_793_005 &+ 1; random[i] = UInt8(truncatingIfNeeded: x >> 56) }
        #expect(throws: ScenarioError.self) { try CSVReader.parse(data: Data(random), file: "r.bin") }
    }

    @Test func dataOver64MiBIsRejected() throws {
        let e = #expect(throws: ScenarioError.self) {
            try CSVReader.parse(data: Data(count: CSVReader.maximumFileBytes + 1), file: "big.csv")
        }
        #expect(e?.message.contains("limited to") == true)
    }

    @Test func fileErrors() throws {
        let dir = try TempDir("csv")
        defer { dir.cleanup() }
        let missing = #expect(throws: ScenarioError.self) { try CSVReader.read(path: dir.file("nope.csv")) }
        #expect(missing?.file == dir.file("nope.csv") && missing?.message.contains("no such file") == true)
        let directory = #expect(throws: ScenarioError.self) { try CSVReader.read(path: dir.path) }
        #expect(directory?.message.contains("is a directory") == true)

        let big = dir.file("big.csv")
        _ = FileManager.default.createFile(atPath: big, contents: nil)
        let handle = try #require(FileHandle(forWritingAtPath: big))
        try handle.truncate(atOffset: UInt64(CSVReader.maximumFileBytes + 1))
        try handle.close()
        let tooBig = #expect(throws: ScenarioError.self) { try CSVReader.read(path: big) }
        #expect(tooBig?.message.contains("limited to") == true)

        let ok = try dir.write("ok.csv", "a\n1\n")
        #expect(try CSVReader.read(path: ok).count == 2)
    }

    @Test(.enabled(if: getuid() != 0, "root reads any file")) func unreadableFile() throws {
        let dir = try TempDir("csv")
        defer { dir.cleanup() }
        let path = try dir.write("locked.csv", "a\n1\n")
        try FileManager.default.setAttributes([.posixPermissions: 0], ofItemAtPath: path)
        let e = #expect(throws: ScenarioError.self) { try CSVReader.read(path: path) }
        #expect(e?.message.contains("permission denied") == true)
    }
}

@Suite struct DataReaderRetentionTableTests {
    func table(_ text: String, period: RetentionTable.Period = .month) throws -> RetentionTable {
        try RetentionTableReader.parse(data: Data(text.utf8), file: "t.csv", period: period)
    }

    @Test func singleCohortWideRowGivesExactSurvivalData() throws {
        let t = try table("cohort,0,1,2\n2024-01,1000,631,468\n")
        #expect(t.cohorts == [CohortRetention(label: "2024-01", alive: [1000, 631, 468])])
        #expect(t.period == .month)
        let d = t.survivalData()
        #expect(d.churned == [0, 369, 163, 0])
        #expect(d.active == [0, 0, 0, 468])
    }

    @Test func raggedTriangleMerges() throws {
        let t = try table("""
            cohort,0,1,2,3
            2024-01,1000,631,468,382
            2024-02,800,512,390
            2024-03,950,601,,
            2024-04,700

            """, period: .year)
        #expect(t.period == .year)
        #expect(t.cohorts.map(\.label) == ["2024-01", "2024-02", "2024-03", "2024-04"])
        #expect(t.cohorts.map(\.alive) == [[1000, 631, 468, 382], [800, 512, 390], [950, 601], [700]])
        #expect(t.survivalData() == survival(churned: [1: 369 + 288 + 349, 2: 163 + 122, 3: 86],
                                             active: [1: 700, 2: 601, 3: 390, 4: 382]))
    }

    @Test func longSingleCohort() throws {
        let t = try table("Period , customers\n0,1000\n1,631\n2,468\n")
        #expect(t.cohorts == [CohortRetention(label: "customers", alive: [1000, 631, 468])])
        #expect(t.survivalData() == survival(churned: [1: 369, 2: 163], active: [3: 468]))
    }

    @Test func crlfBomQuotedLabelsCommentsAndFloatCounts() throws {
        let text = "\u{FEFF}# retention export\r\n\"Cohort, signup month\",M0,M1,M2\r\n\r\n\"Jan, 2024\", 1000 ,631.0,468\r\n\"Feb \"\"promo\"\"\",500,400\r\n"
        let t = try table(text)
        #expect(t.cohorts == [CohortRetention(label: "Jan, 2024", alive: [1000, 631, 468]),
                              CohortRetention(label: "Feb \"promo\"", alive: [500, 400])])
    }

    @Test func zeroSurvivorsAndFlatCountsAreFine() throws {
        let t = try table("cohort,0,1,2\nA,10,10,0\n")
        #expect(t.cohorts[0].alive == [10, 10, 0])
    }

    @Test func readsFromAFile() throws {
        let dir = try TempDir("retention")
        defer { dir.cleanup() }
        let path = try dir.write("r.csv", "period,customers\n0,10\n1,7\n")
        #expect(try RetentionTableReader.read(path: path, period: .month).cohorts[0].alive == [10, 7])
        let e = #expect(throws: ScenarioError.self) { try RetentionTableReader.read(path: dir.file("x.csv"), period: .month) }
        #expect(e?.message.contains("no such file") == true)
    }

    static let header = "cohort,0,1,2\n"

    static let badCases: [DataBadCase] = [
        DataBadCase("empty file", "", line: 0, column: 0, "file is empty"),
        DataBadCase("only comments and blanks", "# nothing\n\n  \n", line: 0, column: 0, "file is empty"),
        DataBadCase("header only (wide)", "# c\ncohort,0,1\n", line: 2, column: 0, "header but no data rows"),
        DataBadCase("header only (long)", "period,customers\n", line: 1, column: 0, "header but no data rows"),
        DataBadCase("header without period columns", "cohort\nA\n", line: 1, column: 0, "no period columns"),
        DataBadCase("cohort with no counts", header + "A,,\n", line: 2, column: 2, keyPath: "0", "cohort 'A' has no counts"),
        DataBadCase("cohort with only a label", header + "A,5\nB\n", line: 3, column: 2, keyPath: "0", "cohort 'B' has no counts"),
        DataBadCase("non-integer count", header + "A,100,12.5\n", line: 2, column: 3, keyPath: "1",
                    "expected a whole number of customers >= 0, got '12.5'"),
        DataBadCase("negative count", header + "A,100,-5\n", line: 2, column: 3, keyPath: "1",
                    "expected a whole number of customers >= 0, got '-5'"),
        DataBadCase("text count", header + "A,abc\n", line: 2, column: 2, keyPath: "0", "got 'abc'"),
        DataBadCase("huge count", header + "A,99999999999999999999999\n", line: 2, column: 2, keyPath: "0",
                    "from 0 to 1000000000000"),
        DataBadCase("cohort size 0", header + "A,0,0\n", line: 2, column: 2, keyPath: "0", "cohort size is 0"),
        DataBadCase("gap", "cohort,0,1,2,3\nA,100,,50\n", line: 2, column: 4, keyPath: "2",
                    "value '50' after an empty cell in column 3", "only trailing cells may be empty"),
        DataBadCase("increasing survivors", header + "A,1000,431,468\n", line: 2, column: 4, keyPath: "2",
                    "survivors must not increase: 468 at period 2 after 431 at period 1"),
        DataBadCase("duplicate label", header + "A,10\nB,5\n# c\nA,3\n", line: 5, column: 1, keyPath: "cohort",
                    "duplicate cohort label 'A'", "first used on line 2"),
        DataBadCase("too many cells", header + "A,10,9,8,7\n", line: 2, column: 5,
                    "row has 5 cells but the header has 4 columns"),
        DataBadCase("empty label", header + " ,10\n", line: 2, column: 1, keyPath: "cohort", "empty cohort label"),
        DataBadCase("long: period gap", "period,customers\n0,100\n2,50\n", line: 3, column: 1, keyPath: "period",
                    "expected period 1", "got '2'"),
        DataBadCase("long: starts at 1", "period,customers\n1,100\n", line: 2, column: 1, keyPath: "period",
                    "expected period 0", "consecutive from 0"),
        DataBadCase("long: empty period", "period,customers\n0,100\n,50\n", line: 3, column: 1, keyPath: "period",
                    "got an empty cell"),
        DataBadCase("long: increase", "period,customers\n0,100\n1,90\n2,95\n", line: 4, column: 2, keyPath: "customers",
                    "survivors must not increase: 95 at period 2 after 90 at period 1"),
        DataBadCase("long: empty count", "period,customers\n0,100\n1\n", line: 3, column: 2, keyPath: "customers",
                    "empty count for period 1"),
        DataBadCase("long: size 0", "period,customers\n0,0\n", line: 2, column: 2, keyPath: "customers", "cohort size is 0"),
        DataBadCase("long: non-integer", "period,customers\n0,1e3\n", line: 2, column: 2, keyPath: "customers", "got '1e3'"),
        DataBadCase("long: too many cells", "period,customers\n0,100,x\n", line: 2, column: 3, "header has 2 columns"),
        DataBadCase("unterminated quote", header + "A,10\n\"B,5\nC,4\n", line: 3, column: 1, "never closed"),
    ]

    @Test(arguments: badCases) func badTable(_ c: DataBadCase) {
        let e = retentionError(c.text)
        #expect(c.mismatch(e) == nil)
        #expect(e?.file == "table.csv")
    }

    @Test func binaryFileIsRejected() {
        let e = retentionError(data: Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0x00]))
        #expect(e?.message.contains("expected") == true)
        #expect(e?.description.hasPrefix("table.csv") == true)
    }

    @Test func descriptionFormat() {
        let e = retentionError(Self.header + "A,1000,431,468\n")
        #expect(e?.description == "table.csv:2:4: 2: survivors must not increase: 468 at period 2 after 431 at period 1")
    }
}
