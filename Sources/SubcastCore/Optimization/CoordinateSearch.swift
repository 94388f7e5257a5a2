import SubcastStochastics

/// The search of `subcast optimize` over decision spaces too large to simulate every candidate
/// (more than `ScenarioLoader.maximumCandidates`, or on request): a coordinate search on the
/// common-random-number objective, then the ranking-and-selection stage of `Optimizer` on the
/// best candidates it found.
///
/// 1. **Start** at the middle value of every decision.
/// 2. **Line search** along one decision at a time, the others fixed. A decision with at most 17
///    values has them all evaluated; a longer one 17 evenly spaced values (its first and last
///    included) and the current one, then, around the best of them, the values half the spacing
///    away on either side, then a quarter, ... down to the neighbours: a coarse-to-fine search
///    that finds the best value of a unimodal line with about 17 + 2 log2(n / 16) evaluations.
///    The point moves to the best value seen on the line.
/// 3. **Passes** over every decision repeat until a pass moves no decision (or 10 passes).
///    Candidates are compared by their screening estimates on `trials` trials, all on the same
///    trial streams, so the comparisons are paired and a candidate seen twice is not simulated
///    twice (its estimate is kept). A candidate whose estimates meet every constraint ranks
///    above one that breaks a constraint; feasible candidates rank by the objective, infeasible
///    ones by their relative shortfall (the sum over broken constraints of
///    |estimate - bound| / max(|bound|, |estimate|)), then the objective.
/// 4. **Selection.** The best `finalists` candidates seen (12 by default) go to
///    `Optimizer.select`: the same screening trials (which reproduce the search's estimates bit
///    for bit), then more trials for the leaders until the probability of correct selection
///    among them reaches the target.
///
/// A coordinate search finds a local optimum of the decision space: the best candidate along
/// every decision's line through it. Where decisions interact strongly (the best price depends
/// on the number of agents) it needs several passes, and a space with separate peaks can hold a
/// better candidate it never saw; the probability of correct selection is among the finalists.
/// Reproducible: the path, the finalists and the answer depend only on the problem, trials and
/// seed, never on the number of threads.
public enum CoordinateSearch {
    public struct Summary: Sendable {
        /// The number of candidates in the decision space.
        public var spaceSize: Int
        /// Every candidate the search evaluated, with its screening estimates, in the order seen.
        public var explored: [Optimizer.Candidate]
        /// Passes over the decisions.
        public var passes: Int
        /// Whether the last pass moved no decision (false: stopped after `maximumPasses`).
        public var converged: Bool
        /// Candidate-trials of the search (before the selection).
        public var candidateTrials: Int
    }

    public static let coarsePoints = 17
    public static let maximumPasses = 10

    /// Evaluations a search needs for one pass, to size a progress bar: per decision of n values,
    /// n when n <= 17, else 17 + 1 + 2 log2(n / 16).
    public static func evaluationsPerPass(_ problem: OptimizationProblem) -> Int {
        problem.decisions.reduce(0) { total, d in
            let n = d.values.count
            if n <= coarsePoints { return total + n }
            var h = max(1, (n - 1) / (2 * (coarsePoints - 1))), levels = 1
            while h > 1 { h = (h + 1) / 2; levels += 1 }
            return total + coarsePoints + 1 + 2 * levels
        }
    }

    /// Runs the search and the selection. `model(indices)` builds the candidate with value
    /// `indices[d]` of every decision d (it may throw, e.g. for a combination the scenario
    /// refuses; the error is rethrown). Progress counts candidate-trials.
    public static func run(_ problem: OptimizationProblem, trials: Int, maxTrials: Int, seed: UInt64, threads: Int,
                           finalists: Int = 12, progress: (@Sendable (Int) -> Void)? = nil,
                           isCancelled: (@Sendable () -> Bool)? = nil,
                           model: ([Int]) throws -> ForecastModel) throws -> Optimizer.Result {
        precondition(trials >= 2 && maxTrials >= trials && finalists >= 1 && !problem.decisions.isEmpty)
        var values = [problem.objective.metric]
        for c in problem.constraints where !values.contains(c.metric) { values.append(c.metric) }
        let sizes = problem.decisions.map(\.values.count)
        func index(_ at: [Int]) -> Int { zip(at, sizes).reduce(0) { $0 * $1.1 + $1.0 } }

        var seen: [Int: Optimizer.Candidate] = [:]
        var order: [Int] = []
        var done = 0

        // Simulates the candidates not seen yet, all on the same trial streams.
        func evaluate(_ points: [[Int]]) throws {
            var fresh: [[Int]] = []
            for p in points where seen[index(p)] == nil && !fresh.contains(p) { fresh.append(p) }
            guard !fresh.isEmpty else { return }
            let built = try fresh.map { try model($0) }
            let candidates = CandidatesModel(built, values: values)
            let before = done, width = fresh.count
            let matrix = try MonteCarloEngine.run(candidates, trials: trials, seed: seed, threads: threads,
                                                  progress: progress.map { p in { @Sendable k in p(before + k * width) } },
                                                  isCancelled: isCancelled)
            done += trials * fresh.count
            for (position, p) in fresh.enumerated() {
                let k = index(p)
                let columns = values.indices.map { matrix.column(candidates.column(candidate: position, value: $0)) }
                seen[k] = Optimizer.estimate(problem, candidate: k, values: zip(problem.decisions, p).map { $0.values[$1] },
                                             columns: columns, valueNames: values)
                order.append(k)
            }
        }
        func best(_ points: [[Int]]) -> [Int] {
            points.dropFirst().reduce(points[0]) { better(problem, seen[index($1)]!, than: seen[index($0)]!) ? $1 : $0 }
        }

        var at = sizes.map { $0 / 2 }
        try evaluate([at])
        var passes = 0, converged = false
        while passes < maximumPasses && !converged {
            passes += 1
            let start = at
            for d in sizes.indices {
                let n = sizes[d]
                func point(_ i: Int) -> [Int] { var p = at; p[d] = i; return p }
                var line: [[Int]]
                if n <= coarsePoints {
                    line = (0..<n).map(point)
                } else {
                    line = (0..<coarsePoints).map { point(Int((Double($0) * Double(n - 1) / Double(coarsePoints - 1)).rounded())) }
                    if !line.contains(at) { line.append(at) }
                }
                try evaluate(line)
                var chosen = best([at] + line)
                if n > coarsePoints {
                    // Around the best coarse value: half the spacing away, a quarter, ... 1.
                    var h = max(1, (n - 1) / (2 * (coarsePoints - 1)))
                    while true {
                        let j = chosen[d]
                        var trial = [chosen]
                        if j - h >= 0 { var p = chosen; p[d] = j - h; trial.append(p) }
                        if j + h < n { var p = chosen; p[d] = j + h; trial.append(p) }
                        try evaluate(trial)
                        chosen = best(trial)
                        if h == 1 { break }
                        h = (h + 1) / 2
                    }
                }
                at = chosen
            }
            converged = at == start
        }

        // The best candidates seen go to the selection, the search's point among them.
        let ranked = order.sorted { a, b in
            let x = seen[a]!, y = seen[b]!
            if better(problem, x, than: y) { return true }
            if better(problem, y, than: x) { return false }
            return a < b
        }
        var chosen = Array(ranked.prefix(finalists))
        if !chosen.contains(index(at)) { chosen[chosen.count - 1] = index(at) }
        chosen.sort()
        // Models are rebuilt rather than kept (a search may see hundreds of candidates).
        let entries = try chosen.map { k in
            Optimizer.Entry(index: k, values: seen[k]!.values, model: try model(problem.indices(ofCandidate: k)))
        }
        let searchTrials = done
        var result = try Optimizer.select(problem, entries: entries, trials: trials, maxTrials: maxTrials, seed: seed,
                                          threads: threads, progress: progress.map { p in { @Sendable k in p(searchTrials + k) } },
                                          isCancelled: isCancelled)
        result.candidateTrials += searchTrials
        result.search = Summary(spaceSize: sizes.reduce(1, *), explored: order.map { seen[$0]! }, passes: passes,
                                converged: converged, candidateTrials: searchTrials)
        return result
    }

    /// Whether a ranks strictly above b on their estimates (see step 3).
    static func better(_ problem: OptimizationProblem, _ a: Optimizer.Candidate, than b: Optimizer.Candidate) -> Bool {
        let sign = problem.objective.maximize ? 1.0 : -1.0
        func objectiveBetter() -> Bool {
            let x = sign * a.objective, y = sign * b.objective
            if x.isNaN { return false }
            return y.isNaN || x > y
        }
        if a.feasible != b.feasible { return a.feasible }
        if a.feasible { return objectiveBetter() }
        let sa = shortfall(problem, a), sb = shortfall(problem, b)
        if sa != sb { return sa.isNaN ? false : (sb.isNaN || sa < sb) }
        return objectiveBetter()
    }

    /// The relative shortfall of a candidate's broken constraints.
    static func shortfall(_ problem: OptimizationProblem, _ c: Optimizer.Candidate) -> Double {
        var total = 0.0
        for (k, r) in zip(problem.constraints, c.constraints) where !r.holds {
            guard r.estimate.isFinite else { return .infinity }
            let scale = max(abs(k.bound), abs(r.estimate))
            total += scale > 0 ? abs(r.estimate - k.bound) / scale : 0
        }
        return total
    }
}
