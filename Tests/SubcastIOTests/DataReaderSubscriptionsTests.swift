import Foundation
import Testing
import SubcastCore
@testable import SubcastIO

@Suite struct DataReaderCalendarDateTests {
    @Test func parsesDatesAndTimestamps() {
        #expect(CalendarDate(parsing: "2024-03-05") == CalendarDate(year: 2024, month: 3, day: 5))
        #expect(CalendarDate(parsing: "2024-03-05T23:10:00Z") == day("2024-03-05"))
        #expect(CalendarDate(parsing: "2024-03-05T23:10:00.123-05:00") == day("2024-03-05"))
        #expect(CalendarDate(parsing: "2024-03-05 23:10") == day("2024-03-05"))
        #expect(day("2024-03-05").description == "2024-03-05")
        #expect(day("0099-12-31").description == "0099-12-31")
    }

    @Test(arguments: ["", "2024-3-5", "05/03/2024", "2024/03/05", "20240305", "2024-03-05x", "2024-03-05T", "2024-03-05T1:00",
                      "２０２４-03-05", " 2024-03-05", "2024-03-05T10-00", "-2024-03-05"])
    func rejectsMalformedText(_ text: String) {
        #expect(CalendarDate(parsing: text) == nil)
        #expect(CalendarDate.parse(text) == .malformed)
    }

    @Test func rejectsImpossibleDates() {
        #expect(CalendarDate(parsing: "2023-02-29") == nil)
        #expect(CalendarDate.parse("2023-02-30") == .impossible("February 2023 has 28 days"))
        #expect(CalendarDate(parsing: "1900-02-29") == nil)
        #expect(CalendarDate(parsing: "2000-02-29") != nil)
        #expect(CalendarDate(parsing: "2024-02-29") != nil)
        #expect(CalendarDate(parsing: "2024-04-31") == nil)
        #expect(CalendarDate(parsing: "2024-13-01") == nil)
        #expect(CalendarDate(parsing: "2024-00-10") == nil)
        #expect(CalendarDate(parsing: "2024-01-00") == nil)
        #expect(CalendarDate(parsing: "0000-01-01") == nil)
        #expect(CalendarDate(year: 2023, month: 2, day: 29) == nil)
    }

    @Test func addingMonthsClampsToTheMonthEnd() {
        #expect(day("2024-01-31").adding(months: 1) == day("2024-02-29"))
        #expect(day("2023-01-31").adding(months: 1) == day("2023-02-28"))
        #expect(day("2024-01-31").adding(months: 2) == day("2024-03-31"))
        #expect(day("2024-03-31").adding(months: -1) == day("2024-02-29"))
        #expect(day("2024-05-31").adding(months: 1) == day("2024-06-30"))
        #expect(day("2024-12-15").adding(months: 1) == day("2025-01-15"))
        #expect(day("2024-01-15").adding(months: -1) == day("2023-12-15"))
        #expect(day("2024-01-15").adding(months: -25) == day("2021-12-15"))
        #expect(day("2024-02-29").adding(months: 12) == day("2025-02-28"))
        #expect(day("2024-02-29").adding(months: 48) == day("2028-02-29"))
        #expect(day("2099-02-28").adding(months: 12) == day("2100-02-28"))
        #expect(day("2024-07-04").adding(months: 0) == day("2024-07-04"))
    }

    @Test func ordering() {
        #expect(day("2023-12-31") < day("2024-01-01"))
        #expect(day("2024-01-31") < day("2024-02-01"))
        #expect(day("2024-02-01") < day("2024-02-02"))
        #expect(!(day("2024-02-02") < day("2024-02-02")))
        #expect([day("2024-05-01"), day("2023-05-01"), day("2024-01-09")].sorted().map(\.description)
                == ["2023-05-01", "2024-01-09", "2024-05-01"])
    }
}

@Suite struct DataReaderSubscriptionsTests {
    func parse(_ text: String, asOf: String = "2024-06-30", period: RetentionTable.Period = .month,
               groupByPlan: Bool = false) throws -> SubscriptionData {
        try SubscriptionsReader.parse(data: Data(text.utf8), file: "subs.csv", asOf: day(asOf), period: period,
                                      groupByPlan: groupByPlan)
    }

    @Test func monthlyPeriodBoundaries() throws {
        // Ended exactly one month after starting: paid 1 period; a day later: 2.
        #expect(try oneSubscription(start: "2024-01-15", end: "2024-02-15", asOf: "2024-06-30") == survival(churned: [1: 1]))
        #expect(try oneSubscription(start: "2024-01-15", end: "2024-02-16", asOf: "2024-06-30") == survival(churned: [2: 1]))
        #expect(try oneSubscription(start: "2024-01-15", end: "2024-02-14", asOf: "2024-06-30") == survival(churned: [1: 1]))
        // Same-day cancellation still paid one period.
        #expect(try oneSubscription(start: "2024-01-15", end: "2024-01-15", asOf: "2024-06-30") == survival(churned: [1: 1]))
        // Month-end starts use the clamped renewal dates 2024-02-29, 2024-03-31.
        #expect(try oneSubscription(start: "2024-01-31", end: "2024-02-29", asOf: "2024-06-30") == survival(churned: [1: 1]))
        #expect(try oneSubscription(start: "2024-01-31", end: "2024-03-01", asOf: "2024-06-30") == survival(churned: [2: 1]))
        #expect(try oneSubscription(start: "2024-01-31", end: "2024-03-31", asOf: "2024-06-30") == survival(churned: [2: 1]))
        #expect(try oneSubscription(start: "2024-01-31", end: "2024-04-01", asOf: "2024-06-30") == survival(churned: [3: 1]))
        // Ended on the as-of date: churned.
        #expect(try oneSubscription(start: "2024-01-15", end: "2024-06-30", asOf: "2024-06-30") == survival(churned: [6: 1]))
    }

    @Test func censoredPeriodBoundaries() throws {
        // Started on the as-of date: in period 1.
        #expect(try oneSubscription(start: "2024-06-30", end: nil, asOf: "2024-06-30") == survival(active: [1: 1]))
        // Renewal day equal to the as-of date: the new period has begun.
        #expect(try oneSubscription(start: "2024-05-30", end: nil, asOf: "2024-06-30") == survival(active: [2: 1]))
        #expect(try oneSubscription(start: "2024-05-31", end: nil, asOf: "2024-06-29") == survival(active: [1: 1]))
        #expect(try oneSubscription(start: "2024-05-31", end: nil, asOf: "2024-06-30") == survival(active: [2: 1]))
        #expect(try oneSubscription(start: "2024-01-31", end: nil, asOf: "2024-02-28") == survival(active: [1: 1]))
        #expect(try oneSubscription(start: "2024-01-31", end: nil, asOf: "2024-02-29") == survival(active: [2: 1]))
        #expect(try oneSubscription(start: "2023-06-30", end: nil, asOf: "2024-06-30") == survival(active: [13: 1]))
        // An end date after the as-of date (a scheduled cancellation) is still active.
        #expect(try oneSubscription(start: "2024-01-15", end: "2024-09-01", asOf: "2024-06-30") == survival(active: [6: 1]))
        #expect(try oneSubscription(start: "2024-06-30", end: "2024-07-01", asOf: "2024-06-30") == survival(active: [1: 1]))
    }

    @Test func yearlyPeriods() throws {
        // Renewals of a leap-day start: 2021-02-28, 2022-02-28, 2023-02-28, 2024-02-29.
        #expect(try oneSubscription(start: "2020-02-29", end: "2021-02-28", asOf: "2024-06-30", period: .year) == survival(churned: [1: 1]))
        #expect(try oneSubscription(start: "2020-02-29", end: "2021-03-01", asOf: "2024-06-30", period: .year) == survival(churned: [2: 1]))
        #expect(try oneSubscription(start: "2020-02-29", end: nil, asOf: "2023-06-01", period: .year) == survival(active: [4: 1]))
        #expect(try oneSubscription(start: "2020-02-29", end: nil, asOf: "2024-02-28", period: .year) == survival(active: [4: 1]))
        #expect(try oneSubscription(start: "2020-02-29", end: nil, asOf: "2024-02-29", period: .year) == survival(active: [5: 1]))
        #expect(try oneSubscription(start: "2024-01-01", end: "2024-12-31", asOf: "2025-06-30", period: .year) == survival(churned: [1: 1]))
    }

    @Test func headerAliasesTimestampsAndExtraColumns() throws {
        let text = """
            \u{FEFF}Customer, ID ,Created_At,Canceled_At,Status,MRR
            c1,s1,2024-01-15T08:00:00Z,2024-03-20T10:00:00Z,canceled,10
            c2,s2,2024-05-10 12:00:00,,active,
            c3,"s,3",2024-02-01,,active,20.5

            """
        let d = try parse(text)
        #expect(d.groups.count == 1)
        let g = d.groups[0]
        #expect(g.plan == nil)
        #expect(g.subscriptions == 3 && g.active == 2)
        #expect(g.meanAmount == 15.25)
        #expect(g.survival == survival(churned: [3: 1], active: [2: 1, 5: 1]))
    }

    @Test func firstListedAliasWins() throws {
        // `end` wins over `canceled_at` (listed later) wherever the columns are.
        let d = try parse("canceled_at,id,start,end\n2024-02-01,s1,2024-01-01,\n")
        #expect(d.groups[0].survival == survival(active: [6: 1]))
    }

    @Test func groupsByPlanSortedByName() throws {
        let text = """
            id,plan,start,end,amount
            a,pro,2024-01-01,2024-03-15,30
            b,basic,2024-01-01,,10
            c,pro,2024-04-01,,50
            d,basic,2024-02-10,2024-02-20,
            e,Annual,2023-06-30,,100

            """
        let byPlan = try parse(text, groupByPlan: true)
        #expect(byPlan.groups.map(\.plan) == ["Annual", "basic", "pro"])
        let annual = byPlan.groups[0], basic = byPlan.groups[1], pro = byPlan.groups[2]
        #expect(annual.subscriptions == 1 && annual.active == 1 && annual.meanAmount == 100)
        #expect(annual.survival == survival(active: [13: 1]))
        #expect(basic.subscriptions == 2 && basic.active == 1 && basic.meanAmount == 10)
        #expect(basic.survival == survival(churned: [1: 1], active: [6: 1]))
        #expect(pro.subscriptions == 2 && pro.active == 1 && pro.meanAmount == 40)
        #expect(pro.survival == survival(churned: [3: 1], active: [3: 1]))

        let all = try parse(text)
        #expect(all.groups.count == 1 && all.groups[0].plan == nil)
        #expect(all.groups[0].subscriptions == 5 && all.groups[0].active == 3)
        #expect(all.groups[0].meanAmount == 47.5)
        var merged = SurvivalData()
        for g in byPlan.groups { merged.merge(g.survival) }
        #expect(all.groups[0].survival == merged)
    }

    @Test func noAmountColumnGivesNilMean() throws {
        let d = try parse("id,product,start_date,end_date\na,x,2024-01-01,\n", groupByPlan: true)
        #expect(d.groups == [SubscriptionGroup(plan: "x", survival: survival(active: [6: 1]), subscriptions: 1, active: 1, meanAmount: nil)])
    }

    @Test func readsFromAFile() throws {
        let dir = try TempDir("subs")
        defer { dir.cleanup() }
        let path = try dir.write("s.csv", "id,start,end\na,2024-01-01,2024-01-20\n")
        let d = try SubscriptionsReader.read(path: path, asOf: day("2024-06-30"), period: .month, groupByPlan: false)
        #expect(d.groups[0].survival == survival(churned: [1: 1]))
        let e = #expect(throws: ScenarioError.self) {
            try SubscriptionsReader.read(path: dir.path, asOf: day("2024-06-30"), period: .month, groupByPlan: false)
        }
        #expect(e?.message.contains("is a directory") == true)
    }

    static let header = "id,plan,start_date,end_date,amount\n"

    static let badCases: [DataBadCase] = [
        DataBadCase("empty file", "", line: 0, column: 0, "file is empty"),
        DataBadCase("no data rows", "# export\nid,start,end\n\n", line: 2, column: 0, "header but no data rows"),
        DataBadCase("missing id column", "sub,start,end\nx,2024-01-01,\n", line: 1, column: 0,
                    "missing the id column", "one of: id"),
        DataBadCase("missing start column", "id,begin,end\nx,2024-01-01,\n", line: 1, column: 0,
                    "missing the start date column", "one of: start, start_date, started_at, created_at"),
        DataBadCase("missing end column", "id,start\nx,2024-01-01\n", line: 1, column: 0,
                    "missing the end date column", "one of: end, end_date, ended_at, canceled_at, cancelled_at"),
        DataBadCase("duplicate column", "id,start,ID,end\nx,2024-01-01,y,\n", line: 1, column: 3, keyPath: "ID",
                    "duplicate column 'ID' (also column 1)"),
        DataBadCase("empty id", header + "a,basic,2024-01-01,,\n ,basic,2024-01-01,,\n", line: 3, column: 1, keyPath: "id",
                    "empty id"),
        DataBadCase("blank line after header", header + "\n", line: 1, column: 0, "no data rows"),
        DataBadCase("duplicate id", header + "a,basic,2024-01-01,,\n# c\nb,basic,2024-01-01,,\na,pro,2024-02-01,,\n",
                    line: 5, column: 1, keyPath: "id", "duplicate id 'a'", "first seen on line 2"),
        DataBadCase("unparseable start", header + "a,basic,01/15/2024,,\n", line: 2, column: 3, keyPath: "start_date",
                    "expected a date YYYY-MM-DD", "got '01/15/2024'"),
        DataBadCase("empty start", header + "a,basic,,,\n", line: 2, column: 3, keyPath: "start_date",
                    "empty start date; expected a date YYYY-MM-DD"),
        DataBadCase("missing start cell", header + "a,basic\n", line: 2, column: 3, keyPath: "start_date", "empty start date"),
        DataBadCase("unparseable end", header + "a,basic,2024-01-01,soon,\n", line: 2, column: 4, keyPath: "end_date",
                    "expected a date YYYY-MM-DD", "got 'soon'"),
        DataBadCase("impossible start", header + "a,basic,2023-02-30,,\n", line: 2, column: 3, keyPath: "start_date",
                    "no such date: '2023-02-30'", "February 2023 has 28 days"),
        DataBadCase("impossible end", header + "a,basic,2023-01-01,2023-13-01,\n", line: 2, column: 4, keyPath: "end_date",
                    "no such date: '2023-13-01'", "month 13"),
        DataBadCase("end before start", header + "a,basic,2024-02-01,2024-01-03,\n", line: 2, column: 4, keyPath: "end_date",
                    "ends (2024-01-03) before it starts (2024-02-01)"),
        DataBadCase("start after as-of", header + "a,basic,2024-07-01,,\n", line: 2, column: 3, keyPath: "start_date",
                    "starts (2024-07-01) after the as-of date (2024-06-30)"),
        DataBadCase("negative amount", header + "a,basic,2024-01-01,,-3\n", line: 2, column: 5, keyPath: "amount",
                    "expected an amount >= 0, got '-3'"),
        DataBadCase("non-numeric amount", header + "a,basic,2024-01-01,,$10\n", line: 2, column: 5, keyPath: "amount",
                    "expected an amount (a number >= 0", "got '$10'"),
        DataBadCase("infinite amount", header + "a,basic,2024-01-01,,inf\n", line: 2, column: 5, keyPath: "amount", "got 'inf'"),
        DataBadCase("too many cells", header + "a,Pro, annual,2024-01-01,,10\n", line: 2, column: 6,
                    "row has 6 cells but the header has 5 columns", "quote fields that contain commas"),
        DataBadCase("unterminated quote", header + "a,\"basic,2024-01-01,,\n", line: 2, column: 2, "never closed"),
    ]

    @Test(arguments: badCases) func badSubscriptions(_ c: DataBadCase) {
        let e = subscriptionsError(c.text)
        #expect(c.mismatch(e) == nil)
        #expect(e?.file == "subs.csv")
    }

    @Test func groupingNeedsAPlanColumn() {
        let e = subscriptionsError("id,start,end\na,2024-01-01,\n", groupByPlan: true)
        #expect(DataBadCase("no plan column", "", line: 1, column: 0,
                            "grouping by plan needs a plan column", "one of: plan, plan_name, product").mismatch(e) == nil)
        let empty = subscriptionsError(Self.header + "a,,2024-01-01,,\n", groupByPlan: true)
        #expect(DataBadCase("empty plan", "", line: 2, column: 2, keyPath: "plan", "empty plan").mismatch(empty) == nil)
        #expect(subscriptionsError(Self.header + "a,,2024-01-01,,\n", groupByPlan: false) == nil)
    }

    @Test func descriptionFormat() {
        let e = subscriptionsError(Self.header + "a,basic,2024-02-01,2024-01-03,\n")
        #expect(e?.description == "subs.csv:2:4: end_date: ends (2024-01-03) before it starts (2024-02-01)")
    }
}

/// Mangled versions of valid files must throw or parse, never crash.
@Suite struct DataReaderRobustnessTests {
    static let seeds = [
        "cohort,0,1,2\r\n\"A, x\",1000,631,468\r\nB,500,,\r\n",
        "period,customers\n0,1000\n1,631\n2,468\n",
        "id,plan,start,end,amount\na,pro,2024-01-31T10:00:00Z,2024-03-01,30\nb,\"ba\"\"sic\",2020-02-29,,1e300\n",
    ]

    @Test func mutatedInputsNeverCrash() {
        var x: UInt64 = 0x243F_6A88_85A3_08D3
        func next(_ n: Int) -> Int {
            x = x &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int((x >> 33) % UInt64(n))
        }
        let alphabet: [UInt8] = Array("0123456789-,\"\r\n#T: .eA\u{7F}".utf8) + [0x00, 0xC3, 0xA9, 0xFF]
        var outcomes = 0
        for i in 0..<600 {
            var bytes = Array(Self.seeds[i % Self.seeds.count].utf8)
            for _ in 0...next(4) {
                let at = next(bytes.count + 1)
                switch next(3) {
                case 0: bytes.insert(alphabet[next(alphabet.count)], at: at)
                case 1: if at < bytes.count { bytes.remove(at: at) }
                default: if at < bytes.count { bytes[at] = alphabet[next(alphabet.count)] }
                }
            }
            let data = Data(bytes)
            if (try? RetentionTableReader.parse(data: data, file: "f", period: .month)) != nil { outcomes += 1 }
            for group in [false, true] {
                if let d = try? SubscriptionsReader.parse(data: data, file: "f", asOf: day("2024-06-30"), period: .year, groupByPlan: group) {
                    outcomes += 1
                    for g in d.groups { #expect(g.survival.subscribers == g.subscriptions && (g.meanAmount?.isFinite ?? true)) }
                }
            }
        }
        #expect(outcomes > 0)
    }
}
