/// A validated scenario: everything one simulation needs, in model units.
///
/// Built by `SubcastIO.ScenarioLoader` from a scenario file (which reports user mistakes with
/// file, line and key); constructing one by hand with out-of-range values is a programmer
/// error caught by `validate()`'s preconditions.
public struct Scenario: Sendable, Hashable {
    /// A short human-readable name, recorded in every output.
    public var name: String
    /// ISO currency code or symbol used in reports; no conversion happens.
    public var currency: String
    /// The reporting horizon in months (month 1 is the first simulated month), >= 1.
    public var horizonMonths: Int
    /// Default number of Monte Carlo trials, >= 1.
    public var trials: Int
    /// Default root seed; nil draws one at run time (and prints it).
    public var seed: UInt64?
    /// Subscription plans, at least one, names unique.
    public var plans: [Plan]
    /// New subscribers.
    public var acquisition: Acquisition
    /// Subscribers already active at the start of month 1.
    public var existing: [ExistingCohort]
    /// Margin, discounting and acquisition cost.
    public var economics: Economics
    /// The horizon over which CLTV counts revenue, in months from acquisition (default 120),
    /// independent of `horizonMonths`.
    public var lifetimeMonths: Int
    /// Acquisition months whose cohort retention curves are reported individually.
    public var reportedCohorts: [Int]
    /// Business levers (all off by default).
    public var levers: Levers
    /// Calendar dates and fiscal years for reports (nil: months are numbered 1 ... horizon).
    public var calendar: ReportingCalendar?
    /// Percentiles (in per cent, 0 < p < 100) reported beside the standard P5, P25, P50, P75 and
    /// P95 (`--percentiles`); they change the reports, never the simulation.
    public var reportPercentiles: [Double] = []

    public init(name: String, currency: String = "USD", horizonMonths: Int, trials: Int, seed: UInt64? = nil,
                plans: [Plan], acquisition: Acquisition, existing: [ExistingCohort] = [],
                economics: Economics = Economics(), lifetimeMonths: Int = 120, reportedCohorts: [Int]? = nil,
                levers: Levers = Levers(), calendar: ReportingCalendar? = nil) {
        self.name = name
        self.currency = currency
        self.horizonMonths = horizonMonths
        self.trials = trials
        self.seed = seed
        self.plans = plans
        self.acquisition = acquisition
        self.existing = existing
        self.economics = economics
        self.lifetimeMonths = lifetimeMonths
        self.reportedCohorts = reportedCohorts ?? Scenario.defaultReportedCohorts(horizon: horizonMonths)
        self.levers = levers
        self.calendar = calendar
    }

    /// True when some lever (scenario-wide or of a plan) is on: the scenario then runs on
    /// `PipelineModel`, otherwise on the leaner `CohortModel` (which gives the same numbers).
    public var usesLevers: Bool {
        !levers.isEmpty || plans.contains { !$0.options.isEmpty } || calendar != nil || economics.cacSchedule != nil
    }

    /// Months 1, 2, 3, 6, 12 and every 12th month after, up to the horizon.
    public static func defaultReportedCohorts(horizon: Int) -> [Int] {
        var months = [1, 2, 3, 6].filter { $0 <= horizon }
        var m = 12
        while m <= horizon { months.append(m); m += 12 }
        return months
    }

    /// The monthly discount rate d with (1 + d)^12 = 1 + discountRatePerYear.
    public var discountPerMonth: Double {
        _pow(1 + economics.discountRatePerYear, 1.0 / 12) - 1
    }
}

/// One subscription plan.
public struct Plan: Sendable, Hashable {
    /// Unique name, used to refer to the plan elsewhere in the scenario.
    public var name: String
    /// Price per subscriber per month, in the scenario's currency, >= 0.
    public var pricePerMonth: Double
    /// Churn at renewals.
    public var churn: ChurnModel
    /// Estimation uncertainty of sBG churn parameters (e.g. from `subcast fit`); nil = known exactly.
    public var churnUncertainty: ChurnUncertainty?
    /// The plan's levers (billing, discounts, seats, usage, moves, support tickets).
    public var options: PlanOptions

    public init(name: String, pricePerMonth: Double, churn: ChurnModel, churnUncertainty: ChurnUncertainty? = nil,
                options: PlanOptions = PlanOptions()) {
        self.name = name
        self.pricePerMonth = pricePerMonth
        self.churn = churn
        self.churnUncertainty = churnUncertainty
        self.options = options
    }
}

/// Uncertainty about sBG parameters, carried into the simulation: each trial draws
/// ```
/// (ln alpha, ln beta) ~ BivariateNormal((ln alpha^, ln beta^), (seLogAlpha, seLogBeta), correlation)
/// ```
/// from its own stream `parameters` (GSL's `gsl_ran_bivariate_gaussian`), so the spread of the
/// results includes the estimation error of the churn model, and the process-noise streams are
/// unchanged. This is the asymptotic normal distribution of a maximum-likelihood fit on the log scale.
public struct ChurnUncertainty: Sendable, Hashable {
    /// Standard error of ln alpha, >= 0.
    public var seLogAlpha: Double
    /// Standard error of ln beta, >= 0.
    public var seLogBeta: Double
    /// Correlation of ln alpha and ln beta, in [-1, 1].
    public var correlation: Double

    public init(seLogAlpha: Double, seLogBeta: Double, correlation: Double) {
        self.seLogAlpha = seLogAlpha
        self.seLogBeta = seLogBeta
        self.correlation = correlation
    }
}

/// Arrivals of new subscribers.
public struct Acquisition: Sendable, Hashable {
    /// Mean new subscribers in month 1 (the Poisson mean lambda), >= 0; with a schedule, its
    /// largest value.
    public var newPerMonth: Double
    /// A marketing plan: the mean by month before growth (nil = `newPerMonth` in every month).
    public var schedule: Schedule?
    /// Monthly growth of that mean: lambda_m = lambda (1 + g)^(m - 1), > -1.
    public var growthPerMonth: Double
    /// Share of new subscribers choosing each plan, in plan order; non-negative, sums to 1.
    public var planMix: [Double]

    public init(newPerMonth: Double, growthPerMonth: Double = 0, planMix: [Double]) {
        self.newPerMonth = newPerMonth
        self.growthPerMonth = growthPerMonth
        self.planMix = planMix
    }

    /// lambda_m for month m >= 1: the month's mean (the schedule's, else `newPerMonth`) x (1 + g)^(m - 1).
    public func meanArrivals(month m: Int) -> Double {
        (schedule?.value(month: m) ?? newPerMonth) * _pow(1 + growthPerMonth, Double(m - 1))
    }
}

/// A group of subscribers already active at the start of month 1.
public struct ExistingCohort: Sendable, Hashable {
    /// Index into `Scenario.plans`.
    public var plan: Int
    /// Number of subscribers, >= 0.
    public var count: Int
    /// Months already paid before month 1, >= 0. Their first renewal in the simulation is
    /// renewal number tenure + 1, so sBG churn has already thinned out the fickle ones.
    public var tenureMonths: Int
    /// The condition the subscribers are in at the start (healthy by default); at risk needs
    /// `onboarding`, the others `support`.
    public var condition: ExistingCondition

    public init(plan: Int, count: Int, tenureMonths: Int, condition: ExistingCondition = .healthy) {
        self.plan = plan
        self.count = count
        self.tenureMonths = tenureMonths
        self.condition = condition
    }
}

/// The condition of existing subscribers at the start: what `subcast fit` reads from ticket and
/// activation histories on the as-of date.
public enum ExistingCondition: Sendable, Hashable {
    case healthy
    /// Not yet productive past the onboarding threshold.
    case atRisk
    /// Waiting on an open ticket.
    case waiting
    /// After a badly resolved ticket, for `monthsLeft` more renewals (1 ... bad_resolution.months).
    case detractor(monthsLeft: Int)
    /// After a well resolved ticket, for `monthsLeft` more renewals (1 ... good_resolution.months).
    case promoter(monthsLeft: Int)
}

/// Unit economics.
public struct Economics: Sendable, Hashable {
    /// Gross margin as a fraction of revenue, in [0, 1] (default 1: CLTV in revenue).
    public var grossMargin: Double
    /// Annual discount rate for CLTV, >= 0 (default 0.10).
    public var discountRatePerYear: Double
    /// Customer acquisition cost per acquired subscriber, >= 0 (default 0: no LTV:CAC).
    public var cacPerSubscriber: Double
    /// What the CAC is paid for: each paying subscriber (default) or each sign-up (with a free
    /// trial, every trialist). LTV:CAC uses the same: acquisition spend / subscribers acquired.
    public var cacBasis: CACBasis
    /// A marketing cost plan: CAC by month (nil = `cacPerSubscriber` in every month, which is
    /// then the schedule's largest value).
    public var cacSchedule: Schedule?

    public enum CACBasis: String, Sendable, Hashable {
        case payingSubscriber = "paying_subscriber", signUp = "sign_up"
    }

    public init(grossMargin: Double = 1, discountRatePerYear: Double = 0.10, cacPerSubscriber: Double = 0,
                cacBasis: CACBasis = .payingSubscriber) {
        self.grossMargin = grossMargin
        self.discountRatePerYear = discountRatePerYear
        self.cacPerSubscriber = cacPerSubscriber
        self.cacBasis = cacBasis
    }
}

import Foundation
@inline(__always) func _pow(_ x: Double, _ y: Double) -> Double { Foundation.pow(x, y) }

/// The calendar of a scenario (`start: 2027-01`): the calendar month of month 1, so that reports
/// show dates, and the month fiscal years start in (1 = January, calendar years).
public struct ReportingCalendar: Sendable, Hashable {
    public var startYear: Int
    /// 1 ... 12.
    public var startMonth: Int
    /// 1 ... 12 (default 1).
    public var fiscalYearStartMonth: Int

    public init(startYear: Int, startMonth: Int, fiscalYearStartMonth: Int = 1) {
        precondition((1...12).contains(startMonth) && (1...12).contains(fiscalYearStartMonth))
        self.startYear = startYear
        self.startMonth = startMonth
        self.fiscalYearStartMonth = fiscalYearStartMonth
    }

    /// Reads `YYYY-MM` (years 1900 ... 9999); nil when it is not one.
    public init?(start text: String) {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 2, parts[0].count == 4, parts[1].count == 2,
              let y = Int(parts[0]), let m = Int(parts[1]), (1900...9999).contains(y), (1...12).contains(m) else { return nil }
        self.init(startYear: y, startMonth: m)
    }

    /// (year, month 1 ... 12) of model month m >= 1.
    public func date(month m: Int) -> (year: Int, month: Int) {
        let index = startYear * 12 + (startMonth - 1) + (m - 1)
        return (index / 12, index % 12 + 1)
    }

    /// `2027-01` for model month m.
    public func label(month m: Int) -> String {
        let d = date(month: m)
        return "\(d.year)-\(d.month < 10 ? "0" : "")\(d.month)"
    }

    /// The fiscal year of model month m, named by the calendar year in which it ends (with
    /// fiscal years starting in April, April 2027 ... March 2028 is FY2028).
    public func fiscalYear(month m: Int) -> Int {
        let d = date(month: m)
        return fiscalYearStartMonth == 1 || d.month < fiscalYearStartMonth ? d.year : d.year + 1
    }
}

/// The fiscal years of a horizon (`Scenario.fiscalYears`): with a calendar those of
/// `ReportingCalendar.fiscalYear`, otherwise years of 12 model months.
public struct FiscalYear: Sendable, Hashable {
    /// `FY2028` or `year 1`.
    public let label: String
    /// The stem of its per-trial totals: `fy2028` or `year1` (`fy2028_revenue`).
    public let stem: String
    /// Model months in it.
    public let months: ClosedRange<Int>
    /// False when the horizon covers only part of it.
    public let complete: Bool
}

extension Scenario {
    /// The fiscal years that the horizon's months fall in, in order.
    public var fiscalYears: [FiscalYear] {
        var years: [FiscalYear] = []
        var m = 1
        while m <= horizonMonths {
            let key = calendar.map { $0.fiscalYear(month: m) } ?? (m - 1) / 12 + 1
            var last = m
            while last + 1 <= horizonMonths && (calendar.map { $0.fiscalYear(month: last + 1) } ?? last / 12 + 1) == key { last += 1 }
            years.append(FiscalYear(label: calendar != nil ? "FY\(key)" : "year \(key)", stem: calendar != nil ? "fy\(key)" : "year\(key)",
                                    months: m...last, complete: last - m + 1 == 12))
            m = last + 1
        }
        return years
    }
}
