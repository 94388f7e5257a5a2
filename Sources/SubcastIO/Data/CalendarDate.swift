/// A day of the proleptic Gregorian calendar, without time or time zone.
///
/// Dates are parsed and compared with integer arithmetic only, so results never depend on the
/// machine's time zone or locale. Accepted text: `YYYY-MM-DD` (year 0001-9999), or an ISO 8601
/// timestamp `YYYY-MM-DDTHH:MM[:SS...]` (also with a space instead of `T`), of which only the
/// date part is used — the time and any UTC offset are ignored.
///
/// ```
/// CalendarDate(parsing: "2024-01-31")!.adding(months: 1)   // 2024-02-29
/// CalendarDate(parsing: "2023-02-29")                      // nil: 2023 is not a leap year
/// CalendarDate(parsing: "2024-03-05T23:10:00Z")            // 2024-03-05
/// ```
public struct CalendarDate: Comparable, Hashable, Sendable, CustomStringConvertible {
    public let year: Int
    /// 1 ... 12.
    public let month: Int
    /// 1 ... the number of days in the month.
    public let day: Int

    /// The date, or nil when it does not exist (month outside 1...12, day outside the month).
    public init?(year: Int, month: Int, day: Int) {
        guard (1...12).contains(month), day >= 1, day <= CalendarDate.daysIn(year: year, month: month) else { return nil }
        self.year = year
        self.month = month
        self.day = day
    }

    private init(unchecked year: Int, _ month: Int, _ day: Int) {
        self.year = year
        self.month = month
        self.day = day
    }

    /// Parses `YYYY-MM-DD` or an ISO timestamp (date part used); nil when malformed or impossible.
    public init?(parsing text: String) {
        guard case let .date(d) = CalendarDate.parse(text) else { return nil }
        self = d
    }

    /// The date `months` calendar months later (earlier when negative), with the day clamped to
    /// the end of the target month: 2024-01-31 + 1 month = 2024-02-29, 2023-01-31 + 1 = 2023-02-28.
    public func adding(months: Int) -> CalendarDate {
        let total = year * 12 + (month - 1) + months
        let y = total >= 0 ? total / 12 : (total - 11) / 12
        let m = total - y * 12 + 1
        return CalendarDate(unchecked: y, m, min(day, CalendarDate.daysIn(year: y, month: m)))
    }

    /// Gregorian leap years: divisible by 4, except centuries not divisible by 400.
    public static func isLeapYear(_ year: Int) -> Bool {
        year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
    }

    /// The number of days in `month` (1 ... 12) of `year`.
    public static func daysIn(year: Int, month: Int) -> Int {
        switch month {
        case 2: return isLeapYear(year) ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    public static func < (a: CalendarDate, b: CalendarDate) -> Bool {
        (a.year, a.month, a.day) < (b.year, b.month, b.day)
    }

    /// `YYYY-MM-DD`.
    public var description: String {
        func pad(_ n: Int, _ width: Int) -> String {
            let s = String(abs(n))
            return (n < 0 ? "-" : "") + String(repeating: "0", count: max(0, width - s.count)) + s
        }
        return "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))"
    }

    /// What a text cell holds: a date, a well-formed but nonexistent date, or no date at all.
    enum Parsed: Equatable {
        case date(CalendarDate)
        /// Well formed, but no such day; the reason names the month's length.
        case impossible(String)
        case malformed
    }

    /// The accepted formats, for error messages.
    static let expectedFormat = "a date YYYY-MM-DD (or an ISO timestamp YYYY-MM-DDTHH:MM:SS)"

    static func parse(_ text: String) -> Parsed {
        let u = Array(text.utf8)
        func digits(_ range: Range<Int>) -> Int? {
            guard range.upperBound <= u.count else { return nil }
            var n = 0
            for i in range {
                guard u[i] >= 0x30 && u[i] <= 0x39 else { return nil }
                n = n * 10 + Int(u[i] - 0x30)
            }
            return n
        }
        guard u.count >= 10, let y = digits(0..<4), u[4] == 0x2D, let m = digits(5..<7), u[7] == 0x2D,
              let d = digits(8..<10) else { return .malformed }
        if u.count > 10 {
            // A timestamp: T, t or a space, then at least HH:MM; the rest is not examined.
            guard u[10] == 0x54 || u[10] == 0x74 || u[10] == 0x20, digits(11..<13) != nil,
                  u.count > 13, u[13] == 0x3A, digits(14..<16) != nil else { return .malformed }
        }
        guard y >= 1 else { return .impossible("there is no year 0000") }
        guard (1...12).contains(m) else { return .impossible("month \(m) is not from 01 to 12") }
        let days = daysIn(year: y, month: m)
        guard d >= 1 && d <= days else {
            let name = ["January", "February", "March", "April", "May", "June", "July", "August",
                        "September", "October", "November", "December"][m - 1]
            return .impossible("\(name) \(y) has \(days) days")
        }
        return .date(CalendarDate(unchecked: y, m, d))
    }
}

extension CalendarDate {
    /// Days since 0001-01-01 (proleptic Gregorian), for differences of dates.
    public var dayNumber: Int {
        let y = month <= 2 ? year - 1 : year
        let m = month <= 2 ? month + 12 : month
        return 365 * y + y / 4 - y / 100 + y / 400 + (153 * (m - 3) + 2) / 5 + day - 307
    }

    /// Calendar months from `self` to `later` as a fraction: the whole months m with
    /// self + m months <= later, plus the share of the next month's days that has passed.
    public func months(until later: CalendarDate) -> Double {
        guard later > self else { return 0 }
        let whole = SubscriptionsReader.periodsBegun(self, every: 1, before: later, inclusive: true) - 1
        let a = adding(months: whole).dayNumber, b = adding(months: whole + 1).dayNumber
        return Double(whole) + Double(later.dayNumber - a) / Double(max(1, b - a))
    }
}
