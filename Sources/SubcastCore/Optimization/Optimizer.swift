import Foundation
import SubcastStochastics

/// The search of `subcast optimize`: every candidate on common random numbers, then a
/// ranking-and-selection stage that adds trials to the leading candidates.
///
/// 1. **Screening.** Every candidate runs `trials` trials (the same trial streams for all).
/// 2. **Estimates.** Per candidate: the objective statistic (mean, sample quantile with linear
///    interpolation between order statistics, or share of trials above a value), its standard
///    error and 95 % interval, and each constraint's estimate with the probability that it
///    really holds (Jeffreys' beta posterior of the share of trials beyond the bound for
///    quantile and probability constraints, the normal approximation of the mean for means).
///    A candidate is feasible when every constraint's estimate meets its bound.
/// 3. **Selection.** The best feasible candidate b. For every other feasible candidate j the
///    paired per-trial difference d = s (x_b - x_j) (s = 1 when maximising) gives the
///    probability that j is really better by more than the indifference zone delta,
///    Phi(-(mean(d) + delta) / se(d)) (for quantile objectives from 400 paired bootstrap resamples
///    of the trials, drawn from the stream `bootstrap` of the seed, so the answer is
///    reproducible). The probability of correct selection is at least
///    PCS = 1 - sum_j P(j better) (Bonferroni).
/// 4. **More trials.** While PCS is below the target and doubling the trials stays within
///    `maxTrials`, the leaders (b and every j with P(j better) >= 1e-4, or whose feasibility is
///    uncertain) run again on twice the trials, from trial 0 (the same streams, so their first
///    trials repeat exactly), and steps 2-3 repeat.
///
/// Reproducible: the same problem, candidates, trials and seed give the same answer on any
/// number of threads (the engine's guarantee, and a bootstrap keyed by the seed).
public enum Optimizer {
    public struct ConstraintResult: Sendable, Hashable {
        public var estimate: Double
        public var holds: Bool
        /// The probability that the constraint really holds, given the trials.
        public var probabilityHolds: Double
    }

    public struct Candidate: Sendable, Hashable {
        public var index: Int
        public var values: [Double]
        /// Trials of its last stage.
        public var trials: Int
        public var objective: Double
        public var standardError: Double
        public var interval: (lower: Double, upper: Double)
        public var constraints: [ConstraintResult]
        public var feasible: Bool { constraints.allSatisfy(\.holds) && objective.isFinite }
        /// P(this candidate is really better than the chosen one by more than the indifference
        /// zone), from the last stage it shared with it; nil for the chosen one or if not compared.
        public var probabilityBetter: Double?

        public static func == (a: Candidate, b: Candidate) -> Bool {
            a.index == b.index && a.trials == b.trials && a.objective == b.objective
        }
        public func hash(into h: inout Hasher) { h.combine(index); h.combine(trials); h.combine(objective) }
    }

    public struct Stage: Sendable, Hashable {
        public var trials: Int
        public var candidates: Int
        public var probabilityCorrect: Double
    }

    public struct Result: Sendable {
        public var problem: OptimizationProblem
        /// The candidates of the selection (every candidate of an exhaustive search; the finalists
        /// of a coordinate search). `best` and `runnerUp` index this array.
        public var candidates: [Candidate]
        /// The chosen candidate (nil when none is feasible) and the next best feasible one.
        public var best: Int?
        public var runnerUp: Int?
        /// The lower bound of the probability of correct selection (within the indifference zone).
        public var probabilityCorrect: Double
        public var stages: [Stage]
        /// Candidate-trials simulated in all stages (and in the search before them).
        public var candidateTrials: Int
        /// How the candidates of the selection were found: nil for an exhaustive search.
        public var search: CoordinateSearch.Summary? = nil
    }

    /// One candidate of a selection: its index in the decision space
    /// (`problem.values(ofCandidate:)`), its values and its model.
    public struct Entry: Sendable {
        public var index: Int
        public var values: [Double]
        public var model: ForecastModel
        public init(index: Int, values: [Double], model: ForecastModel) {
            self.index = index
            self.values = values
            self.model = model
        }
    }

    /// Runs the exhaustive search. `models[k]` is candidate k of `problem` (its values from
    /// `problem.values(ofCandidate: k)`).
    public static func run(_ problem: OptimizationProblem, models: [ForecastModel], trials: Int, maxTrials: Int,
                           seed: UInt64, threads: Int, progress: (@Sendable (Int) -> Void)? = nil,
                           isCancelled: (@Sendable () -> Bool)? = nil) throws(SimulationError) -> Result {
        precondition(models.count == problem.candidateCount)
        let entries = models.enumerated().map { Entry(index: $0, values: problem.values(ofCandidate: $0), model: $1) }
        return try select(problem, entries: entries, trials: trials, maxTrials: maxTrials, seed: seed, threads: threads,
                          progress: progress, isCancelled: isCancelled)
    }

    /// Steps 1-4 on the given candidates: screening on `trials`, then more trials for the leaders.
    public static func select(_ problem: OptimizationProblem, entries: [Entry], trials: Int, maxTrials: Int,
                              seed: UInt64, threads: Int, progress: (@Sendable (Int) -> Void)? = nil,
                              isCancelled: (@Sendable () -> Bool)? = nil) throws(SimulationError) -> Result {
        precondition(!entries.isEmpty && trials >= 2 && maxTrials >= trials)
        let models = entries.map(\.model)
        var values = [problem.objective.metric]
        for c in problem.constraints where !values.contains(c.metric) { values.append(c.metric) }
        var results = [Candidate?](repeating: nil, count: models.count)
        var active = Array(models.indices)
        var n = trials
        var stages: [Stage] = []
        var candidateTrials = 0
        var best: Int? = nil
        var pcs = 0.0
        var done = 0
        // P(better than the chosen one) of candidates dropped in earlier stages, kept in the sum.
        var dropped: [Int: Double] = [:]
        while true {
            let model = CandidatesModel(active.map { models[$0] }, values: values)
            let before = done, width = active.count
            let matrix = try MonteCarloEngine.run(model, trials: n, seed: seed, threads: threads,
                                                  progress: progress.map { p in { @Sendable k in p(before + k * width) } },
                                                  isCancelled: isCancelled)
            done += n * active.count
            candidateTrials += n * active.count
            var columns: [[[Double]]] = []   // [active position][value][trial]
            for (position, k) in active.enumerated() {
                let cols = values.indices.map { matrix.column(model.column(candidate: position, value: $0)) }
                columns.append(cols)
                results[k] = estimate(problem, candidate: entries[k].index, values: entries[k].values, columns: cols, valueNames: values)
            }
            // The best feasible candidate among those of this stage (ties: the first).
            let sign = problem.objective.maximize ? 1.0 : -1.0
            best = nil
            for (position, k) in active.enumerated() where results[k]!.feasible {
                if best == nil || sign * results[k]!.objective > sign * results[active[best!]]!.objective { best = position }
            }
            guard let b = best else {
                stages.append(Stage(trials: n, candidates: active.count, probabilityCorrect: 0))
                break
            }
            var total = dropped.values.reduce(0, +)
            var leaders = [active[b]]
            for (position, k) in active.enumerated() where position != b {
                if isCancelled?() == true { throw .cancelled(completedTrials: done, trials: done) }
                // A candidate the estimates call infeasible counts with the probability that it
                // is feasible after all (its constraints treated as independent).
                let feasibility = results[k]!.feasible ? 1 : results[k]!.constraints.reduce(1.0) { $0 * $1.probabilityHolds }
                var p = 0.0
                if feasibility > 1e-6 && results[k]!.objective.isFinite {
                    p = feasibility * probabilityBetter(problem, best: columns[b][0], other: columns[position][0], seed: seed, sign: sign)
                }
                results[k]!.probabilityBetter = results[k]!.feasible ? p : nil
                total += p
                if p >= 1e-4 { leaders.append(k) } else { dropped[k] = p }
            }
            results[active[b]]!.probabilityBetter = nil
            pcs = max(0, 1 - total)
            stages.append(Stage(trials: n, candidates: active.count, probabilityCorrect: pcs))
            // The next stage's trial matrix stays below 1 GiB (and within --max-trials).
            let nextBytes = Double(2 * n) * Double(leaders.count) * Double(values.count) * 8
            if pcs >= problem.confidence || n * 2 > maxTrials || leaders.count == 1 || nextBytes > Double(1 << 30) { best = b; break }
            for k in leaders { dropped[k] = nil }
            active = leaders.sorted()
            n *= 2
        }
        let sign = problem.objective.maximize ? 1.0 : -1.0
        var all = results.map { $0! }
        var chosen = best.map { active[$0] }
        if chosen == nil {
            // No candidate of the last stage is feasible on its trials: the best feasible one of
            // any stage, if there is one.
            chosen = all.indices.filter { all[$0].feasible }.max { sign * all[$0].objective < sign * all[$1].objective }
            if chosen != nil { pcs = 0 }
        }
        if let c = chosen {
            // Probabilities against an earlier stage's choice are not against this one.
            for k in all.indices where all[k].trials != all[c].trials { all[k].probabilityBetter = nil }
            all[c].probabilityBetter = nil
        }
        let runnerUp = all.indices.filter { all[$0].feasible && $0 != chosen }
            .max { sign * all[$0].objective < sign * all[$1].objective }
        return Result(problem: problem, candidates: all, best: chosen, runnerUp: runnerUp,
                      probabilityCorrect: chosen == nil ? 0 : pcs, stages: stages, candidateTrials: candidateTrials)
    }

    // MARK: statistics

    static func estimate(_ problem: OptimizationProblem, candidate k: Int, values: [Double], columns: [[Double]],
                         valueNames: [ComparisonMetric]) -> Candidate {
        let (objective, se, interval) = statistic(problem.objective.statistic, of: columns[0])
        let constraints = problem.constraints.map { c -> ConstraintResult in
            let column = columns[valueNames.firstIndex(of: c.metric)!]
            let (value, seValue, _) = statistic(c.statistic, of: column)
            let holds = value.isFinite && (c.atLeast ? value >= c.bound : value <= c.bound)
            return ConstraintResult(estimate: value, holds: holds,
                                    probabilityHolds: probabilityHolds(c, column: column, estimate: value, se: seValue))
        }
        return Candidate(index: k, values: values, trials: columns[0].count, objective: objective, standardError: se,
                         interval: interval, constraints: constraints, probabilityBetter: nil)
    }

    /// The statistic of the defined (non-NaN) values, its standard error and 95 % interval.
    static func statistic(_ s: OptimizationProblem.Statistic, of raw: [Double]) -> (Double, Double, (lower: Double, upper: Double)) {
        let xs = raw.filter { !$0.isNaN }
        let n = xs.count
        guard n >= 2 else { return (.nan, .nan, (.nan, .nan)) }
        switch s {
        case .mean:
            var m = Moments()
            for x in xs { m.add(x) }
            let se = m.sd / Double(n).squareRoot()
            return (m.mean, se, (m.mean - 1.959964 * se, m.mean + 1.959964 * se))
        case let .probabilityAbove(bound):
            let k = xs.reduce(0) { $0 + ($1 > bound ? 1 : 0) }
            let p = Double(k) / Double(n)
            let a = Double(k) + 0.5, b = Double(n - k) + 0.5
            let lo = (try? InverseCDF.beta(0.025, a: a, b: b)) ?? .nan, hi = (try? InverseCDF.beta(0.975, a: a, b: b)) ?? .nan
            return (p, (p * (1 - p) / Double(n)).squareRoot(), (k == 0 ? 0 : lo, k == n ? 1 : hi))
        case let .quantile(q):
            let sorted = xs.sorted()
            let value = quantile(sorted, q)
            // Order-statistic interval: ranks n q -+ 1.96 sqrt(n q (1 - q)).
            let half = 1.959964 * (Double(n) * q * (1 - q)).squareRoot()
            let lo = sorted[max(0, min(n - 1, Int((Double(n) * q - half).rounded(.down))))]
            let hi = sorted[max(0, min(n - 1, Int((Double(n) * q + half).rounded(.up))))]
            return (value, (hi - lo) / (2 * 1.959964), (lo, hi))
        }
    }

    /// The q-quantile of sorted values, interpolating linearly between order statistics.
    static func quantile(_ sorted: [Double], _ q: Double) -> Double {
        let h = Double(sorted.count - 1) * q
        let i = Int(h.rounded(.down)), f = h - Double(i)
        return i + 1 < sorted.count ? sorted[i] + f * (sorted[i + 1] - sorted[i]) : sorted[i]
    }

    static func probabilityHolds(_ c: OptimizationProblem.Constraint, column raw: [Double], estimate: Double, se: Double) -> Double {
        let xs = raw.filter { !$0.isNaN }
        let n = xs.count
        guard n >= 2, estimate.isFinite else { return 0 }
        func jeffreys(_ k: Int) -> (Double, Double) { (Double(k) + 0.5, Double(n - k) + 0.5) }
        switch c.statistic {
        case .mean:
            guard se > 0 else { return (c.atLeast ? estimate >= c.bound : estimate <= c.bound) ? 1 : 0 }
            let z = (estimate - c.bound) / se
            return InverseCDF.standardNormalCDF(c.atLeast ? z : -z)
        case let .probabilityAbove(x):
            // p = P(value > x); P(p >= bound) or P(p <= bound) under Beta(k + 1/2, n - k + 1/2).
            let (a, b) = jeffreys(xs.reduce(0) { $0 + ($1 > x ? 1 : 0) })
            let level = min(max(c.bound, 0), 1)
            let (below, above) = InverseCDF.betaTails(level, a: a, b: b)
            return c.atLeast ? above : below
        case let .quantile(q):
            if c.atLeast {
                // The q-quantile >= bound  <=>  F(bound-) <= q, F(bound-) the share below the bound.
                let (a, b) = jeffreys(xs.reduce(0) { $0 + ($1 < c.bound ? 1 : 0) })
                return InverseCDF.betaTails(q, a: a, b: b).0
            }
            let (a, b) = jeffreys(xs.reduce(0) { $0 + ($1 <= c.bound ? 1 : 0) })
            return InverseCDF.betaTails(q, a: a, b: b).1
        }
    }

    /// P(the other candidate is really better than the best by more than the indifference zone).
    static func probabilityBetter(_ problem: OptimizationProblem, best: [Double], other: [Double], seed: UInt64, sign: Double) -> Double {
        let delta = problem.objective.indifference
        var pairs: [(Double, Double)] = []
        for (x, y) in zip(best, other) where !x.isNaN && !y.isNaN { pairs.append((x, y)) }
        let n = pairs.count
        guard n >= 2 else { return 0 }
        switch problem.objective.statistic {
        case .mean, .probabilityAbove:
            var m = Moments()
            for (x, y) in pairs {
                if case let .probabilityAbove(bound) = problem.objective.statistic {
                    m.add(sign * ((x > bound ? 1 : 0) - (y > bound ? 1 : 0)))
                } else {
                    m.add(sign * (x - y))
                }
            }
            let se = m.sd / Double(n).squareRoot()
            if !(se > 0) { return m.mean + delta > 0 || (m.mean == 0 && delta == 0) ? 0 : 1 }
            return InverseCDF.standardNormalCDF(-(m.mean + delta) / se)
        case let .quantile(q):
            // Paired bootstrap of the difference of the two quantiles.
            let g = RandomGenerator(StreamKey(seed: seed, trial: 0, name: "bootstrap"))
            let resamples = 400
            var worse = 0.0
            var a = [Double](repeating: 0, count: n), b = [Double](repeating: 0, count: n)
            for _ in 0..<resamples {
                for i in 0..<n {
                    let j = Int(g.nextRaw() % UInt64(n))
                    a[i] = pairs[j].0
                    b[i] = pairs[j].1
                }
                a.sort(); b.sort()
                let d = sign * (quantile(a, q) - quantile(b, q)) + delta
                if d < 0 { worse += 1 } else if d == 0 && delta > 0 { worse += 0.5 }
            }
            return worse / Double(resamples)
        }
    }
}
