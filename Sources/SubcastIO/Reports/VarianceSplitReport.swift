import SubcastCore

/// The table of `subcast run --separate-uncertainty`: per key metric, its spread with the
/// uncertain inputs drawn, with them fixed at their medians (process noise only, same seed), and
/// the inputs' share of the variance.
public enum VarianceSplitReport {
    public static func render(_ rows: [VarianceSplit], inputs: Int, trials: Int) -> String {
        var out = ["Where the spread comes from (\(inputs) uncertain input\(inputs == 1 ? "" : "s"), \(NumberFormat.human(Double(trials))) trials each, same seed)"]
        let body = rows.map { r in
            [r.month.map { "\(r.metric) month \($0)" } ?? r.metric, NumberFormat.human(r.sdTotal, decimals: 2),
             NumberFormat.human(r.sdProcess, decimals: 2), NumberFormat.percent(r.inputShare), NumberFormat.percent(1 - r.inputShare)]
        }
        out += TableReport.table(["metric", "sd (inputs drawn)", "sd (inputs at medians)", "from inputs", "process noise"], body)
        out.append("Shares by the law of total variance, taking the run at the medians as the process noise; both sds carry Monte Carlo error.")
        return out.joined(separator: "\n") + "\n"
    }
}
