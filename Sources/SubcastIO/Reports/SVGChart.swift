import Foundation

/// A small deterministic SVG chart builder for the HTML reports: one plot area with "nice"
/// linear axes, gridlines, bands, lines, bars, markers and reference lines, and a legend above
/// the plot. Output is inline SVG with a `viewBox` that scales to the page width; all
/// coordinates are written with one decimal, so the same data give the same bytes.
///
/// ```swift
/// var c = SVGChart(id: "mrr-fan", title: "MRR by month",
///                  x: .fixed(label: "month", 1, 24, integer: true),
///                  y: .extended(label: "MRR (EUR)", 0, 95_525))
/// c.band(xs, lower: p5, upper: p95, fill: SVGChart.Palette.blue, opacity: 0.18, legend: "P5-P95")
/// c.line(xs, p50, stroke: SVGChart.Palette.navy, width: 2.5, legend: "median")
/// let svg = c.render()
/// ```
struct SVGChart {
    /// The data-chart attribute, which tests and the report checker look for.
    let id: String
    let title: String
    let x: Axis
    let y: Axis
    /// Width of the viewBox; the chart scales to the page.
    let width: Double = 960
    let plotHeight: Double
    /// The left margin: room for the value labels, or for the names of a category axis.
    let left: Double
    let right: Double = 28
    var plotWidth: Double { width - left - right }

    private var layers: [String] = []
    private var overlays: [String] = []
    private(set) var legend: [LegendItem] = []

    init(id: String, title: String, x: Axis, y: Axis, plotHeight: Double = 280) {
        self.id = id
        self.title = title
        self.x = x
        self.y = y
        self.plotHeight = plotHeight
        let longest = y.names.values.map { SVGChart.textWidth($0, fontSize: 12.5) }.max() ?? 0
        left = y.names.isEmpty ? 84 : min(330, max(84, longest + 40))
    }

    // MARK: palette

    /// Okabe-Ito colours (safe for the common colour-vision deficiencies), with darker and
    /// lighter companions chosen so that series also differ in grayscale print.
    enum Palette {
        static let navy = "#08306b"
        static let blue = "#0072b2"
        static let sky = "#56b4e9"
        static let orange = "#e69f00"
        static let green = "#009e73"
        static let vermillion = "#d55e00"
        static let purple = "#cc79a7"
        static let black = "#1b1b1b"
        static let gray = "#7a7a7a"
        static let grid = "#e4e4e4"
        static let axis = "#8c8c8c"
        static let text = "#333333"
        /// Series colours and dash patterns, in the order multi-series charts use them.
        static let series = [blue, orange, green, purple, sky, vermillion, gray, navy]
        static let dashes = ["", "9 4", "3 3", "12 4 3 4", "6 6", "2 5", "14 5", "7 3 2 3"]
    }

    // MARK: axes and ticks

    /// A linear axis: its label (with units), domain and tick values.
    struct Axis {
        var label: String
        var lo: Double
        var hi: Double
        var ticks: [Double]
        var step: Double
        /// Tick labels by tick value, for category axes (rows named by what they show).
        var names: [Double: String] = [:]

        /// Rows 1 ... n named `names` from the top down (names[0] at y = n), domain 0 ... n + 1:
        /// the category axis of ranked bar charts (tornado, Sobol, candidates).
        static func categories(label: String, _ names: [String]) -> Axis {
            let n = names.count
            var byTick: [Double: String] = [:]
            for (k, name) in names.enumerated() {
                byTick[Double(n - k)] = name.count > 42 ? String(name.prefix(41)) + "\u{2026}" : name
            }
            return Axis(label: label, lo: 0, hi: Double(n + 1), ticks: (1...max(n, 1)).map(Double.init), step: 1, names: byTick)
        }

        /// A domain widened to whole tick steps (for value axes): covers `lo ... hi`.
        static func extended(label: String, _ lo: Double, _ hi: Double, target: Int = 5, integer: Bool = false) -> Axis {
            let s = SVGChart.niceScale(lo, hi, target: target, integer: integer)
            return Axis(label: label, lo: s.lo, hi: s.hi, ticks: s.ticks, step: s.step)
        }

        /// Exactly `lo ... hi` with nice ticks inside it (for month axes and bars).
        static func fixed(label: String, _ lo: Double, _ hi: Double, target: Int = 8, integer: Bool = false) -> Axis {
            var a = lo, b = hi
            if !(a.isFinite && b.isFinite) { a = 0; b = 1 }
            if a == b { a -= 0.5; b += 0.5 }
            if a > b { swap(&a, &b) }
            let step = SVGChart.niceStep((b - a) / Double(max(target, 1)), integer: integer)
            let first = (a / step - 1e-9).rounded(.up), last = (b / step + 1e-9).rounded(.down)
            var ticks: [Double] = []
            if first <= last && last - first <= 1000 && abs(first) < 1e15 && abs(last) < 1e15 {
                for k in Int(first)...Int(last) { ticks.append(SVGChart.multiple(k, of: step)) }
            }
            return Axis(label: label, lo: a, hi: b, ticks: ticks, step: step)
        }

        func label(_ v: Double) -> String { names[v] ?? (names.isEmpty ? SVGChart.tickLabel(v, step: step) : "") }
    }

    /// The smallest of 1, 2, 5 x 10^k at least `rough` (at least 1 for integer axes).
    static func niceStep(_ rough: Double, integer: Bool = false) -> Double {
        guard rough.isFinite, rough > 0 else { return 1 }
        let e = (log10(rough)).rounded(.down)
        let base = pow(10, e)
        var step = 10 * base
        for m in [1.0, 2.0, 5.0] where m * base >= rough * (1 - 1e-12) {
            step = m * base
            break
        }
        return integer ? max(1, step.rounded()) : step
    }

    /// k x step as the nearest double to the decimal value (3 x 0.2 = 0.6, not 0.6000000000000001).
    static func multiple(_ k: Int, of step: Double) -> Double {
        let v = Double(k) * step
        guard step < 1, step > 0 else { return v }
        let d = min(22, Int((-log10(step)).rounded(.up)) + 1)
        let scale = pow(10, Double(d))
        return (v * scale).rounded() / scale
    }

    /// A "nice" scale covering `lo ... hi`: about `target` intervals of 1, 2 or 5 x 10^k,
    /// bounds widened to whole steps. For 0 ... 1,743,755 it gives 0, 500k, 1M, 1.5M, 2M.
    static func niceScale(_ lo: Double, _ hi: Double, target: Int = 5, integer: Bool = false)
        -> (lo: Double, hi: Double, step: Double, ticks: [Double]) {
        var a = lo, b = hi
        if !(a.isFinite && b.isFinite) { a = 0; b = 1 }
        if a > b { swap(&a, &b) }
        if a == b {
            if a == 0 { b = 1 } else { let d = abs(a) * 0.1; a -= d; b += d }
        }
        // Candidate steps around span / target; keep the one whose widened domain has the number
        // of intervals closest to `target` (the larger step on a tie).
        let rough = (b - a) / Double(max(target, 1))
        // Degenerate ranges (a span too small for its magnitude): just the two ends.
        guard rough.isNormal, abs(a) / rough < 1e12, abs(b) / rough < 1e12 else { return (a, b, b - a, [a, b]) }
        let e = log10(rough).rounded(.down)
        var best: (lo: Double, hi: Double, step: Double, k0: Int, k1: Int)? = nil
        var bestMiss = Int.max
        for p in [e - 1, e, e + 1] {
            for m in [1.0, 2.0, 5.0] {
                var step = m * pow(10, p)
                if integer { step = max(1, step.rounded()) }
                let k0 = (a / step + 1e-9).rounded(.down)
                var k1 = (b / step - 1e-9).rounded(.up)
                if k1 <= k0 { k1 = k0 + 1 }
                let miss = abs(Int(k1 - k0) - target)
                if miss < bestMiss || (miss == bestMiss && step > (best?.step ?? 0)) {
                    bestMiss = miss
                    best = (k0 * step, k1 * step, step, Int(k0), Int(k1))
                }
            }
        }
        let s = best!
        return (multiple(s.k0, of: s.step), multiple(s.k1, of: s.step), s.step, (s.k0...s.k1).map { multiple($0, of: s.step) })
    }

    /// A tick label. With steps of 1,000 and more, or values of a million and more, thousands
    /// are written as k, millions as M and billions as B (0, 500k, 1M, 1.5M; 10k, 1.2M); finer
    /// steps give grouped digits (1,180, 1,200) or decimals (0.25). As many decimals as the step
    /// needs, a minus sign for negative values.
    static func tickLabel(_ v: Double, step: Double) -> String {
        guard v.isFinite else { return "" }
        let step = abs(step)
        if v == 0 || abs(v) < step * 1e-9 { return "0" }
        let a = abs(v)
        let sign = v < 0 ? "\u{2212}" : ""
        func decimals(_ scaledStep: Double, _ scaled: Double) -> Int {
            guard scaledStep > 0, scaledStep < 1 else { return 0 }
            var d = min(9, Int((-log10(scaledStep) - 1e-9).rounded(.up)))
            let t = scaled * pow(10, Double(d))
            if abs(t - t.rounded()) > 1e-6 * max(1, abs(t)) { d = min(9, d + 1) }
            return d
        }
        if step >= 1000 || a >= 1e6 {
            let (unit, suffix): (Double, String) = a >= 1e9 ? (1e9, "B") : a >= 1e6 ? (1e6, "M") : a >= 1e3 ? (1e3, "k") : (1, "")
            return sign + trimmed(String(format: "%.\(decimals(step / unit, a / unit))f", a / unit)) + suffix
        }
        return sign + trimmed(NumberFormat.human(a, decimals: decimals(step, a)))
    }

    /// Drops trailing zeros after a decimal point ("1.50" -> "1.5", "1.0" -> "1").
    private static func trimmed(_ s: String) -> String {
        guard s.contains(".") else { return s }
        var t = s
        while t.hasSuffix("0") { t.removeLast() }
        if t.hasSuffix(".") { t.removeLast() }
        return t
    }

    // MARK: coordinates

    func px(_ v: Double) -> Double { (v - x.lo) / (x.hi - x.lo) * plotWidth }
    func py(_ v: Double) -> Double { plotHeight - (v - y.lo) / (y.hi - y.lo) * plotHeight }
    private func clampY(_ v: Double) -> Double { min(max(py(v), -4), plotHeight + 4) }

    // MARK: legend

    enum LegendItem {
        case area(label: String, fill: String, opacity: Double)
        case line(label: String, stroke: String, width: Double, dash: String, marker: Marker?)
        case bar(label: String, fill: String, stroke: String?)
        /// A legend entry for a series that is zero in this model: an outlined empty swatch.
        case empty(label: String, stroke: String)

        var label: String {
            switch self {
            case let .area(l, _, _), let .line(l, _, _, _, _), let .bar(l, _, _), let .empty(l, _): return l
            }
        }
    }

    enum Marker { case circle(filled: Bool), square }

    mutating func addLegend(_ item: LegendItem) { legend.append(item) }

    // MARK: layers

    private static func dashAttribute(_ dash: String) -> String { dash.isEmpty ? "" : " stroke-dasharray=\"\(dash)\"" }

    /// A shaded band between two series; NaN values break it into pieces.
    mutating func band(_ xs: [Double], lower: [Double], upper: [Double], fill: String, opacity: Double, legend label: String? = nil) {
        var segments: [[Int]] = [[]]
        for i in xs.indices {
            if lower[i].isFinite && upper[i].isFinite { segments[segments.count - 1].append(i) } else if !segments[segments.count - 1].isEmpty { segments.append([]) }
        }
        var d = ""
        for seg in segments where seg.count >= 1 {
            let pts = seg.map { (px(xs[$0]), clampY(upper[$0])) } + seg.reversed().map { (px(xs[$0]), clampY(lower[$0])) }
            d += "M" + pts.map { "\(svgNumber($0.0)),\(svgNumber($0.1))" }.joined(separator: " L") + " Z "
        }
        if !d.isEmpty {
            layers.append("<path d=\"\(d.trimmingCharacters(in: .whitespaces))\" fill=\"\(fill)\" fill-opacity=\"\(opacity)\" stroke=\"none\"/>")
        }
        if let l = label { legend.append(.area(label: l, fill: fill, opacity: opacity)) }
    }

    /// A polyline; NaN values break it. `onTop` draws it after the other layers.
    mutating func line(_ xs: [Double], _ ys: [Double], stroke: String, width: Double = 2, dash: String = "",
                       marker: Marker? = nil, hollowAt: Set<Int> = [], onTop: Bool = false, legend label: String? = nil,
                       tooltip: ((Int) -> String)? = nil) {
        var d = ""
        var pen = false
        for i in xs.indices {
            guard ys[i].isFinite else { pen = false; continue }
            d += (pen ? " L" : (d.isEmpty ? "M" : " M")) + "\(svgNumber(px(xs[i]))),\(svgNumber(clampY(ys[i])))"
            pen = true
        }
        var out = ""
        if !d.isEmpty {
            out += "<path d=\"\(d)\" fill=\"none\" stroke=\"\(stroke)\" stroke-width=\"\(svgNumber(width))\""
                + Self.dashAttribute(dash) + " stroke-linejoin=\"round\" stroke-linecap=\"round\"/>"
        }
        if let m = marker {
            for i in xs.indices where ys[i].isFinite {
                out += markerShape(m, px(xs[i]), clampY(ys[i]), color: stroke, hollow: hollowAt.contains(i), tooltip: tooltip?(i))
            }
        }
        if !out.isEmpty { if onTop { overlays.append(out) } else { layers.append(out) } }
        if let l = label { legend.append(.line(label: l, stroke: stroke, width: width, dash: dash, marker: marker)) }
    }

    private func markerShape(_ m: Marker, _ cx: Double, _ cy: Double, color: String, hollow: Bool, tooltip: String?) -> String {
        let fill = hollow ? "#ffffff" : color
        let tip = tooltip.map { "<title>\(HTMLPage.escape($0))</title>" } ?? ""
        let close = tip.isEmpty ? "/>" : ">\(tip)"
        switch m {
        case let .circle(filled):
            let f = filled && !hollow ? color : "#ffffff"
            return "<circle cx=\"\(svgNumber(cx))\" cy=\"\(svgNumber(cy))\" r=\"3.5\" fill=\"\(f)\" stroke=\"\(color)\" stroke-width=\"1.6\"" + close
                + (tip.isEmpty ? "" : "</circle>")
        case .square:
            return "<rect x=\"\(svgNumber(cx - 3.5))\" y=\"\(svgNumber(cy - 3.5))\" width=\"7\" height=\"7\" fill=\"\(fill)\" stroke=\"\(color)\" stroke-width=\"1.4\"" + close
                + (tip.isEmpty ? "" : "</rect>")
        }
    }

    /// Vertical bars from `base` to `values` (NaN skipped), `barWidth` in x units, centred on xs.
    mutating func bars(_ xs: [Double], _ values: [Double], base: Double = 0, barWidth: Double, fill: String,
                       stroke: String? = nil, opacity: Double = 1, legend label: String? = nil, tooltip: ((Int) -> String)? = nil) {
        bars(xs, values, bases: [Double](repeating: base, count: xs.count), barWidth: barWidth, fill: fill, stroke: stroke,
             opacity: opacity, legend: label, tooltip: tooltip)
    }

    /// Vertical bars from `bases[i]` to `values[i]` (NaN skipped): stacked bars, each series
    /// starting where the previous one ends.
    mutating func bars(_ xs: [Double], _ values: [Double], bases: [Double], barWidth: Double, fill: String,
                       stroke: String? = nil, opacity: Double = 1, legend label: String? = nil, tooltip: ((Int) -> String)? = nil) {
        var out = ""
        let w = max(0.8, px(x.lo + barWidth) - px(x.lo))
        for i in xs.indices where values[i].isFinite && bases[i].isFinite {
            let base = bases[i]
            let x0 = px(xs[i]) - w / 2
            let y0 = clampY(max(values[i], base)), y1 = clampY(min(values[i], base))
            out += "<rect x=\"\(svgNumber(x0))\" y=\"\(svgNumber(y0))\" width=\"\(svgNumber(w))\" height=\"\(svgNumber(max(0, y1 - y0)))\" fill=\"\(fill)\""
            if opacity < 1 { out += " fill-opacity=\"\(opacity)\"" }
            if let s = stroke { out += " stroke=\"\(s)\" stroke-width=\"0.8\"" }
            if let t = tooltip?(i) { out += "><title>\(HTMLPage.escape(t))</title></rect>" } else { out += "/>" }
        }
        if !out.isEmpty { layers.append(out) }
        if let l = label { legend.append(.bar(label: l, fill: fill, stroke: stroke)) }
    }

    /// Bars between explicit edges (histograms): bin i spans edges[i] ... edges[i + 1].
    mutating func histogramBars(edges: [Double], counts: [Int], fill: String, stroke: String, legend label: String? = nil) {
        var out = ""
        for i in counts.indices {
            let x0 = px(edges[i]), x1 = px(edges[i + 1])
            let y0 = clampY(Double(counts[i])), y1 = clampY(0)
            let binStep = (edges[i + 1] - edges[i]) / 10
            let tip = Self.tickLabel(edges[i], step: binStep) + " \u{2013} " + Self.tickLabel(edges[i + 1], step: binStep)
                + ": \(counts[i]) trials"
            out += "<rect x=\"\(svgNumber(x0))\" y=\"\(svgNumber(y0))\" width=\"\(svgNumber(max(0.5, x1 - x0)))\" height=\"\(svgNumber(max(0, y1 - y0)))\" fill=\"\(fill)\" stroke=\"\(stroke)\" stroke-width=\"0.8\">"
                + "<title>\(HTMLPage.escape(tip))</title></rect>"
        }
        if !out.isEmpty { layers.append(out) }
        if let l = label { legend.append(.bar(label: l, fill: fill, stroke: stroke)) }
    }

    /// A vertical reference line across the plot, with an optional label at its top.
    mutating func verticalLine(at v: Double, stroke: String, width: Double = 2, dash: String = "", label: String? = nil,
                               labelRow: Int = 0, legend legendLabel: String? = nil) {
        guard v.isFinite else { return }
        let xp = px(v)
        var out = "<line x1=\"\(svgNumber(xp))\" y1=\"0\" x2=\"\(svgNumber(xp))\" y2=\"\(svgNumber(plotHeight))\" stroke=\"\(stroke)\" stroke-width=\"\(svgNumber(width))\""
            + Self.dashAttribute(dash) + "/>"
        if let l = label {
            let leftSide = xp > plotWidth * 0.6
            let tx = leftSide ? xp - 6 : xp + 6
            out += "<text x=\"\(svgNumber(tx))\" y=\"\(svgNumber(16 + 17 * Double(labelRow)))\" font-size=\"12.5\" fill=\"\(Palette.text)\" text-anchor=\"\(leftSide ? "end" : "start")\" paint-order=\"stroke\" stroke=\"#ffffff\" stroke-width=\"4\" stroke-linejoin=\"round\">\(HTMLPage.escape(l))</text>"
        }
        overlays.append(out)
        if let l = legendLabel { legend.append(.line(label: l, stroke: stroke, width: width, dash: dash, marker: nil)) }
    }

    /// A centred message in the plot area (for charts without data).
    mutating func message(_ text: String) {
        overlays.append("<text x=\"\(svgNumber(plotWidth / 2))\" y=\"\(svgNumber(plotHeight / 2))\" font-size=\"14\" fill=\"\(Palette.gray)\" text-anchor=\"middle\">\(HTMLPage.escape(text))</text>")
    }

    // MARK: rendering

    /// Estimated width of text at the chart font size (the real width depends on the font).
    static func textWidth(_ s: String, fontSize: Double = 13) -> Double { Double(s.count) * fontSize * 0.56 }

    private func legendSymbol(_ item: LegendItem, x x0: Double, y yc: Double) -> String {
        switch item {
        case let .area(_, fill, opacity):
            return "<rect x=\"\(svgNumber(x0))\" y=\"\(svgNumber(yc - 6))\" width=\"26\" height=\"12\" fill=\"\(fill)\" fill-opacity=\"\(opacity)\"/>"
        case let .line(_, stroke, width, dash, marker):
            var s = "<line x1=\"\(svgNumber(x0))\" y1=\"\(svgNumber(yc))\" x2=\"\(svgNumber(x0 + 26))\" y2=\"\(svgNumber(yc))\" stroke=\"\(stroke)\" stroke-width=\"\(svgNumber(width))\""
                + Self.dashAttribute(dash) + "/>"
            if let m = marker { s += markerShape(m, x0 + 13, yc, color: stroke, hollow: false, tooltip: nil) }
            return s
        case let .bar(_, fill, stroke):
            return "<rect x=\"\(svgNumber(x0 + 4))\" y=\"\(svgNumber(yc - 7))\" width=\"18\" height=\"14\" fill=\"\(fill)\""
                + (stroke.map { " stroke=\"\($0)\" stroke-width=\"0.8\"" } ?? "") + "/>"
        case let .empty(_, stroke):
            return "<rect x=\"\(svgNumber(x0 + 4))\" y=\"\(svgNumber(yc - 7))\" width=\"18\" height=\"14\" fill=\"#ffffff\" stroke=\"\(stroke)\" stroke-width=\"1.2\" stroke-dasharray=\"2 2\"/>"
        }
    }

    /// The complete `<svg>` element.
    func render() -> String {
        // Legend rows above the plot, wrapped at the plot width.
        var rows: [[(LegendItem, Double)]] = [[]]
        var used = 0.0
        for item in legend {
            let w = 26 + 7 + Self.textWidth(item.label) + 22
            if used + w > plotWidth && !rows[rows.count - 1].isEmpty { rows.append([]); used = 0 }
            rows[rows.count - 1].append((item, used))
            used += w
        }
        let rowHeight = 21.0
        let legendHeight = legend.isEmpty ? 0 : Double(rows.count) * rowHeight + 8
        let top = 14 + legendHeight
        let bottom = 56.0
        let height = top + plotHeight + bottom
        var s = "<svg class=\"chart\" data-chart=\"\(HTMLPage.escape(id))\" viewBox=\"0 0 \(svgNumber(width)) \(svgNumber(height))\" width=\"100%\" "
            + "preserveAspectRatio=\"xMidYMid meet\" role=\"img\" aria-label=\"\(HTMLPage.escape(title))\" font-size=\"13\" fill=\"\(Palette.text)\">\n"
        s += "<title>\(HTMLPage.escape(title))</title>\n"
        s += "<rect x=\"0\" y=\"0\" width=\"\(svgNumber(width))\" height=\"\(svgNumber(height))\" fill=\"#ffffff\"/>\n"

        // Legend.
        if !legend.isEmpty {
            s += "<g class=\"legend\">"
            for (r, row) in rows.enumerated() {
                let yc = 14 + rowHeight * Double(r) + rowHeight / 2 - 2
                for (item, offset) in row {
                    let x0 = left + offset
                    s += legendSymbol(item, x: x0, y: yc)
                    s += "<text x=\"\(svgNumber(x0 + 33))\" y=\"\(svgNumber(yc + 4.5))\">\(HTMLPage.escape(item.label))</text>"
                }
            }
            s += "</g>\n"
        }

        s += "<g transform=\"translate(\(svgNumber(left)),\(svgNumber(top)))\">\n"
        // Gridlines and tick labels.
        s += "<g class=\"grid\" stroke=\"\(Palette.grid)\" stroke-width=\"1\">"
        for t in y.ticks { s += "<line x1=\"0\" y1=\"\(svgNumber(py(t)))\" x2=\"\(svgNumber(plotWidth))\" y2=\"\(svgNumber(py(t)))\"/>" }
        for t in x.ticks { s += "<line x1=\"\(svgNumber(px(t)))\" y1=\"0\" x2=\"\(svgNumber(px(t)))\" y2=\"\(svgNumber(plotHeight))\" stroke-dasharray=\"2 3\"/>" }
        s += "</g>\n"
        for l in layers { s += l + "\n" }
        // Zero line when the value axis spans zero, axes.
        if y.lo < 0 && y.hi > 0 {
            s += "<line x1=\"0\" y1=\"\(svgNumber(py(0)))\" x2=\"\(svgNumber(plotWidth))\" y2=\"\(svgNumber(py(0)))\" stroke=\"#555555\" stroke-width=\"1.2\"/>\n"
        }
        for o in overlays { s += o + "\n" }
        s += "<g class=\"axes\" stroke=\"\(Palette.axis)\" stroke-width=\"1.2\">"
        s += "<line x1=\"0\" y1=\"\(svgNumber(plotHeight))\" x2=\"\(svgNumber(plotWidth))\" y2=\"\(svgNumber(plotHeight))\"/>"
        s += "<line x1=\"0\" y1=\"0\" x2=\"0\" y2=\"\(svgNumber(plotHeight))\"/>"
        for t in y.ticks { s += "<line x1=\"-5\" y1=\"\(svgNumber(py(t)))\" x2=\"0\" y2=\"\(svgNumber(py(t)))\"/>" }
        for t in x.ticks { s += "<line x1=\"\(svgNumber(px(t)))\" y1=\"\(svgNumber(plotHeight))\" x2=\"\(svgNumber(px(t)))\" y2=\"\(svgNumber(plotHeight + 5))\"/>" }
        s += "</g>\n<g class=\"ticks\" font-size=\"12.5\">"
        for t in y.ticks {
            s += "<text x=\"-9\" y=\"\(svgNumber(py(t) + 4.5))\" text-anchor=\"end\">\(HTMLPage.escape(y.label(t)))</text>"
        }
        for t in x.ticks {
            s += "<text x=\"\(svgNumber(px(t)))\" y=\"\(svgNumber(plotHeight + 20))\" text-anchor=\"middle\">\(HTMLPage.escape(x.label(t)))</text>"
        }
        s += "</g>\n</g>\n"
        // Axis titles.
        s += "<text class=\"axis-label\" x=\"\(svgNumber(left + plotWidth / 2))\" y=\"\(svgNumber(top + plotHeight + 46))\" text-anchor=\"middle\" font-size=\"13.5\" font-weight=\"600\">\(HTMLPage.escape(x.label))</text>\n"
        s += "<text class=\"axis-label\" transform=\"translate(18,\(svgNumber(top + plotHeight / 2))) rotate(-90)\" text-anchor=\"middle\" font-size=\"13.5\" font-weight=\"600\">\(HTMLPage.escape(y.label))</text>\n"
        s += "</svg>\n"
        return s
    }
}
