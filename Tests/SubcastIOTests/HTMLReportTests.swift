import Foundation
import SubcastCore
import Testing
@testable import SubcastIO

@Suite struct HTMLReportTests {
    static let seed: UInt64 = 20_260_611

    static func result(name: String = "html report", trials: Int = 60, threads: Int = 2) throws -> SimulationResult {
        try Simulation.run(reportScenario(name: name, cac: 120, horizon: 12, trials: trials), seed: seed, threads: threads)
    }

    static let info = RunInfo(scenarioFile: "Scenarios/html test.yaml")

    /// The `data-chart` values of a page, in order.
    static func charts(_ html: String) -> [String] {
        html.components(separatedBy: "data-chart=\"").dropFirst().map { String($0.prefix { $0 != "\"" }) }
    }

    /// The text of one chart's `<svg>` element.
    static func svg(_ html: String, chart: String) -> String? {
        guard let start = html.range(of: "<svg class=\"chart\" data-chart=\"\(chart)\"") else { return nil }
        guard let end = html.range(of: "</svg>", range: start.upperBound..<html.endIndex) else { return nil }
        return String(html[start.lowerBound..<end.upperBound])
    }

    static func count(_ needle: String, in text: String) -> Int { text.components(separatedBy: needle).count - 1 }

    static func checkSelfContained(_ html: String) {
        for bad in ["http://", "https://", "<script", "<link", "<img", "<iframe", "@import", "url(", "src=", "href="] {
            #expect(!html.lowercased().contains(bad), "report contains \(bad)")
        }
    }

    // MARK: run report

    @Test func runReportHasEveryChartAndIsSelfContained() throws {
        let html = HTMLReport.render(try Self.result(), info: Self.info)
        #expect(html.hasPrefix("<!DOCTYPE html>\n<html lang=\"en\">"))
        #expect(html.hasSuffix("</html>\n"))
        #expect(Self.charts(html) == HTMLReport.chartIDs)
        #expect(HTMLReport.chartIDs == ["mrr-fan", "active-fan", "retention", "cltv-histogram", "mrr-bridge"])
        Self.checkSelfContained(html)
        #expect(html.contains("<meta charset=\"utf-8\">"))
        #expect(html.contains("@media print"))
        #expect(Self.count("<figure>", in: html) == HTMLReport.chartIDs.count)
        #expect(Self.count("<figcaption>", in: html) == HTMLReport.chartIDs.count)
        for id in HTMLReport.chartIDs {
            let svg = try #require(Self.svg(html, chart: id), "chart \(id)")
            #expect(svg.contains("viewBox=\"0 0 960 "), "\(id): viewBox")
            #expect(svg.contains("width=\"100%\""), "\(id): width")
            #expect(svg.contains("<g class=\"legend\">"), "\(id): legend")
            #expect(svg.contains("<g class=\"grid\""), "\(id): gridlines")
            #expect(Self.count("class=\"axis-label\"", in: svg) == 2, "\(id): axis labels")
            let shapes = Self.count("<path ", in: svg) + Self.count("<rect ", in: svg)
            #expect(shapes >= 4, "\(id): only \(shapes) paths and rects")
            #expect(!svg.contains("NaN") && !svg.contains("=\"inf"), "\(id): non-finite coordinates")
        }
    }

    @Test func runReportContent() throws {
        let r = try Self.result()
        let html = HTMLReport.render(r, info: Self.info)
        #expect(html.contains("<h1>Subscription forecast: html report</h1>"))
        // The plain-language summary, with the numbers of the table report.
        let mrr = try #require(r.summary("mrr", month: 12))
        #expect(html.contains("Median MRR in month 12 is EUR \(NumberFormat.human(mrr.p50)); 90 % of trials fall between "
                              + "\(NumberFormat.human(mrr.p5)) and \(NumberFormat.human(mrr.p95))"))
        #expect(html.contains("Mean CLTV per acquired subscriber is EUR "))
        #expect(html.contains("LTV:CAC is "))
        // Key inputs.
        for needle in ["<caption>Plans</caption>", "<td>basic</td>", "<td>pro</td>", "\u{03b1} = 1.0000, \u{03b2} = 5.0000",
                       "5.00 % a month", "growing 2.00 % a month", "25 on pro, 3 months paid", "<td>80.0 %</td>",
                       "<td>\(Self.seed)</td>", "<td>\(r.trials)</td>", "<td>\(Simulation.version)</td>",
                       "<td>\(HTMLPage.escape(Self.info.generator))</td>", "<td>\(HTMLPage.escape(Self.info.gslVersion))</td>",
                       "<td>Scenarios/html test.yaml</td>", "acquired in months 1, 3", "24 months from acquisition"] {
            #expect(html.contains(needle), "missing \(needle)")
        }
        // Reproduction command, quoted for the shell.
        #expect(html.contains("subcast run &#39;Scenarios/html test.yaml&#39; --seed \(Self.seed) --trials \(r.trials)"))
    }

    @Test func axisLabelsCarryUnitsAndCurrency() throws {
        let html = HTMLReport.render(try Self.result(), info: Self.info)
        func label(_ chart: String, _ text: String) throws {
            let svg = try #require(Self.svg(html, chart: chart))
            #expect(svg.contains("font-weight=\"600\">\(text)</text>"), "\(chart): axis label \(text)")
        }
        try label("mrr-fan", "MRR (EUR)")
        try label("mrr-fan", "month")
        try label("active-fan", "active subscribers")
        try label("retention", "retained (%)")
        try label("cltv-histogram", "CLTV per acquired subscriber (EUR)")
        try label("cltv-histogram", "trials")
        try label("mrr-bridge", "change in MRR (EUR per month)")
        // Legends name what the charts show.
        let fan = try #require(Self.svg(html, chart: "mrr-fan"))
        for l in ["P5\u{2013}P95 (90 % of trials)", "P25\u{2013}P75 (50 %)", "median", "closed-form mean"] {
            #expect(fan.contains(">\(l)</text>"), "mrr-fan legend \(l)")
        }
        #expect(fan.contains("stroke-dasharray=\"7 5\""), "closed form dashed")
        let bridge = try #require(Self.svg(html, chart: "mrr-bridge"))
        for l in ["new MRR", "churned MRR", "expansion (none in this model)", "contraction (none in this model)", "net change"] {
            #expect(bridge.contains(">\(l)</text>"), "mrr-bridge legend \(l)")
        }
        let retention = try #require(Self.svg(html, chart: "retention"))
        for l in ["cohort of month 1", "cohort of month 3", "all cohorts (pooled mean)", "closed form"] {
            #expect(retention.contains(">\(l)</text>"), "retention legend \(l)")
        }
        let histogram = try #require(Self.svg(html, chart: "cltv-histogram"))
        #expect(histogram.contains(">simulated mean</text>") && histogram.contains(">closed form</text>"))
        // The retention axis runs 0 ... 100 %.
        #expect(retention.contains("text-anchor=\"end\">100</text>"))
    }

    @Test func userTextIsEscaped() throws {
        let nasty = "<b>&\"it's\""
        var scenario = reportScenario(name: nasty, cac: 0, horizon: 6, trials: 20)
        scenario.plans[0].name = "<i>plan</i>"
        let r = try Simulation.run(scenario, seed: 3, threads: 1)
        let html = HTMLReport.render(r, info: RunInfo(scenarioFile: "dir/<x>&\"y\".yaml"))
        #expect(!html.contains(nasty))
        #expect(!html.contains("<b>&"))
        #expect(!html.contains("<i>"))
        #expect(!html.contains("<x>"))
        #expect(html.contains("&lt;b&gt;&amp;&quot;it&#39;s&quot;"))
        #expect(html.contains("<title>Subcast forecast: &lt;b&gt;&amp;&quot;it&#39;s&quot;</title>"))
        #expect(html.contains("&lt;i&gt;plan&lt;/i&gt;"))
        #expect(html.contains("dir/&lt;x&gt;&amp;&quot;y&quot;.yaml"))
        #expect(html.contains("No acquisition cost is set"))
        Self.checkSelfContained(html)
    }

    @Test func degenerateRunsStillRenderEveryChart() throws {
        // One month, one trial, no new subscribers: CLTV undefined, no histogram, flat series.
        let quiet = Scenario(name: "quiet", currency: "USD", horizonMonths: 1, trials: 1,
                             plans: [Plan(name: "only", pricePerMonth: 5, churn: .constant(perMonth: 0.1))],
                             acquisition: Acquisition(newPerMonth: 0, planMix: [1]),
                             existing: [ExistingCohort(plan: 0, count: 3, tenureMonths: 0)], lifetimeMonths: 1)
        for scenario in [quiet, reportScenario(name: "one trial", horizon: 2, trials: 1)] {
            let r = try Simulation.run(scenario, seed: 1, threads: 1)
            let html = HTMLReport.render(r, info: Self.info)
            #expect(Self.charts(html) == HTMLReport.chartIDs, "\(scenario.name)")
            #expect(!html.contains("NaN") && !html.contains("=\"inf") && !html.contains("\"-inf"), "\(scenario.name)")
            Self.checkSelfContained(html)
        }
        let s = SVGChart.niceScale(1e15, 1e15 + 0.25)
        #expect(s.ticks.count == 2)
        #expect(SVGChart.niceScale(.nan, .infinity).ticks == [0, 0.2, 0.4, 0.6, 0.8, 1])
    }

    @Test func escapeCoversMarkupCharacters() {
        #expect(HTMLPage.escape("a<b>&\"c\"'d'") == "a&lt;b&gt;&amp;&quot;c&quot;&#39;d&#39;")
        #expect(HTMLPage.escape("plain text, 12 %") == "plain text, 12 %")
        #expect(HTMLPage.escape("x\u{0}y") == "x&#xFFFD;y")
    }

    @Test func outputIsDeterministic() throws {
        let a = HTMLReport.render(try Self.result(threads: 1), info: Self.info)
        let r = try Self.result(threads: 3)
        let b = HTMLReport.render(r, info: Self.info)
        let c = HTMLReport.render(r, info: Self.info)
        #expect(a == b, "thread count changed the report")
        #expect(b == c, "rendering twice differs")
    }

    // MARK: ticks

    @Test func niceTicksFollowOneTwoFiveSteps() {
        let s = SVGChart.niceScale(0, 1_743_755)
        #expect(s.step == 500_000)
        #expect(s.ticks == [0, 500_000, 1_000_000, 1_500_000, 2_000_000])
        #expect(s.ticks.map { SVGChart.tickLabel($0, step: s.step) } == ["0", "500k", "1M", "1.5M", "2M"])

        let mrr = SVGChart.niceScale(0, 95_525)
        #expect(mrr.step == 20_000 && mrr.lo == 0 && mrr.hi == 100_000)
        #expect(mrr.ticks.map { SVGChart.tickLabel($0, step: mrr.step) } == ["0", "20k", "40k", "60k", "80k", "100k"])

        let pct = SVGChart.niceScale(0, 100)
        #expect(pct.ticks == [0, 20, 40, 60, 80, 100])

        let small = SVGChart.niceScale(0, 0.87)
        #expect(small.ticks.map { SVGChart.tickLabel($0, step: small.step) } == ["0", "0.2", "0.4", "0.6", "0.8", "1"])

        let cltv = SVGChart.niceScale(1_130.5, 1_362.2)
        #expect(cltv.step == 50 && cltv.lo == 1_100 && cltv.hi == 1_400)
        #expect(cltv.ticks.map { SVGChart.tickLabel($0, step: cltv.step) } == ["1,100", "1,150", "1,200", "1,250", "1,300", "1,350", "1,400"])

        let bridge = SVGChart.niceScale(-3_100, 7_900)
        #expect(bridge.ticks.first == -4_000 && bridge.ticks.last == 8_000 && bridge.step == 2_000)
        #expect(SVGChart.tickLabel(-4_000, step: 2_000) == "\u{2212}4k")

        // Every step is 1, 2 or 5 times a power of ten, and ticks cover the range.
        for (lo, hi) in [(0.0, 1.0), (3.0, 7.0), (0.0, 123_456_789.0), (-50.0, 50.0), (12.0, 12.0), (0.0, 0.0), (0.001, 0.0042)] {
            let n = SVGChart.niceScale(lo, hi)
            let mantissa = n.step / pow(10, log10(n.step).rounded(.down))
            #expect([1.0, 2.0, 5.0].contains { abs($0 - mantissa) < 1e-9 }, "\(lo)...\(hi): step \(n.step)")
            #expect(n.lo <= lo && n.hi >= hi && n.ticks.count >= 2 && n.ticks.count <= 12, "\(lo)...\(hi): \(n.ticks)")
        }
    }

    @Test func tickLabelsAbbreviate() {
        #expect(SVGChart.tickLabel(1_200_000, step: 100_000) == "1.2M")
        #expect(SVGChart.tickLabel(10_000, step: 5_000) == "10k")
        #expect(SVGChart.tickLabel(2_500_000_000, step: 500_000_000) == "2.5B")
        #expect(SVGChart.tickLabel(750, step: 250) == "750")
        #expect(SVGChart.tickLabel(1_180, step: 20) == "1,180")
        #expect(SVGChart.tickLabel(3_000, step: 1_000) == "3k")
        #expect(SVGChart.tickLabel(2_500, step: 500) == "2,500")
        #expect(SVGChart.tickLabel(1_250_000, step: 250_000) == "1.25M")
        #expect(SVGChart.tickLabel(0.05, step: 0.05) == "0.05")
        #expect(SVGChart.tickLabel(1e-17, step: 0.1) == "0")
        #expect(SVGChart.tickLabel(0.30000000000000004, step: 0.1) == "0.3")
    }

    @Test func monthAxesHaveWholeTicksInsideTheRange() {
        let a = SVGChart.Axis.fixed(label: "month", 1, 36, integer: true)
        #expect(a.ticks == [5, 10, 15, 20, 25, 30, 35])
        let b = SVGChart.Axis.fixed(label: "month", 1, 3, integer: true)
        #expect(b.ticks == [1, 2, 3])
        #expect(b.lo == 1 && b.hi == 3)
    }

    // MARK: fit report

    static func retentionFit(holdout: Int) throws -> (FitAnalysis, FitReport.Context) {
        let table = RetentionTable(cohorts: [
            CohortRetention(label: "2024-01", alive: [1000, 631, 468, 382, 326, 289, 262, 241]),
            CohortRetention(label: "2024-02", alive: [900, 570, 420, 345, 295, 260]),
            CohortRetention(label: "<2024-03>", alive: [800, 502, 375, 304]),
        ], period: .month)
        let a = try FitAnalysis.analyse(table.survivalData(holdout: holdout), cohorts: table.cohorts, holdout: holdout,
                                        discountPerPeriod: 0.008)
        let context = FitReport.Context(input: "data/<retention>&.csv", inputKind: "retention table", period: .month, asOf: nil,
                                        holdout: holdout, discountRatePerYear: 0.1)
        return (a, context)
    }

    @Test func fitReportHasFitCheckAndCohortFit() throws {
        let (a, context) = try Self.retentionFit(holdout: 1)
        let snippet = FitReport.snippet([a], context: context, style: .uncertain)
        let html = HTMLReport.renderFit([a], context: context, snippet: snippet)
        #expect(Self.charts(html) == ["fit-check", "cohort-fit"])
        Self.checkSelfContained(html)
        #expect(html.contains("<h1>Churn fit: data/&lt;retention&gt;&amp;.csv</h1>"))
        #expect(!html.contains("<retention>") && !html.contains("<2024-03>"))
        #expect(html.contains("cohort &lt;2024-03&gt;"))
        #expect(html.contains("<pre><code>\(HTMLPage.escape(snippet))</code></pre>"))
        #expect(html.contains("<caption>Estimates</caption>"))
        #expect(html.contains("<td>alpha (\u{03b1})</td><td class=\"num\">\(FitReport.fmt(a.fit.alpha, 4))</td>"))
        #expect(html.contains("Log-likelihood"))
        #expect(html.contains("Correlation of ln"))
        #expect(html.contains("<caption>Customers by tenure</caption>"))
        #expect(html.contains("<th class=\"num\" scope=\"col\">active +12</th>"))
        #expect(html.contains("DERL"))
        let fit = try #require(Self.svg(html, chart: "fit-check"))
        #expect(Self.count("<rect ", in: fit) >= a.renewalCheck.count)
        #expect(fit.contains("font-weight=\"600\">churn at renewal (% of those at risk)</text>"))
        let cohort = try #require(Self.svg(html, chart: "cohort-fit"))
        #expect(cohort.contains(">held out of the fit (open circles)</text>"))
        // One open circle per cohort for the held-out last period.
        #expect(Self.count("fill=\"#ffffff\" stroke=\"#", in: cohort) >= 3)
        #expect(cohort.contains("font-weight=\"600\">customers alive</text>"))
        #expect(HTMLReport.renderFit([a], context: context, snippet: snippet) == html)
    }

    @Test func fitReportWithoutCohortsHasNoCohortChart() throws {
        var data = SurvivalData()
        for (t, n) in [(1, 120), (2, 60), (3, 40), (4, 25), (5, 20)] { data.addChurned(periods: t, count: n) }
        data.addActive(periods: 6, count: 300)
        let a = try FitAnalysis.analyse(data, group: "team & co", discountPerPeriod: 0.008, meanAmount: 99)
        let context = FitReport.Context(input: "subs.csv", inputKind: "subscriptions export", period: .month, asOf: "2026-10-31",
                                        holdout: 0, discountRatePerYear: 0.1)
        let html = HTMLReport.renderFit([a], context: context, snippet: FitReport.snippet([a], context: context, style: .point))
        #expect(Self.charts(html) == ["fit-check"])
        #expect(html.contains("<h2>Plan team &amp; co</h2>"))
        #expect(html.contains("as of 2026-10-31"))
        Self.checkSelfContained(html)
    }

    // MARK: sample files

    /// Writes sample reports for `scripts/check-report.sh` when SUBCAST_HTML_SAMPLES names a directory:
    /// `SUBCAST_HTML_SAMPLES=/tmp/reports swift test --disable-xctest --filter HTMLReport`.
    @Test func writeSamplesWhenAsked() throws {
        guard let dir = ProcessInfo.processInfo.environment["SUBCAST_HTML_SAMPLES"], !dir.isEmpty else { return }
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        for name in ["b2b-saas", "established-business", "consumer-app", "bench-sbg-cohorts"] {
            let file = "Scenarios/\(name).yaml"
            let scenario = try ScenarioLoader.load(path: root.appendingPathComponent(file).path)
            let r = try Simulation.run(scenario, seed: scenario.seed ?? 1, threads: 4)
            try HTMLReport.render(r, info: RunInfo(scenarioFile: file)).write(toFile: "\(dir)/\(name).html", atomically: true, encoding: .utf8)
        }
        let (a, context) = try Self.retentionFit(holdout: 2)
        let snippet = FitReport.snippet([a], context: context, style: .uncertain)
        try HTMLReport.renderFit([a], context: context, snippet: snippet).write(toFile: "\(dir)/fit.html", atomically: true, encoding: .utf8)
    }
}
