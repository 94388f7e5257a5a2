import SubcastCore

/// The file of `subcast run --per-trial FILE.csv`: a header `trial,<metric>,...,input:<name>,...`
/// and one row per trial (trial 1 ... n, in trial order), each value in full precision
/// (`NumberFormat.exact`), an undefined value (a payback never reached) an empty cell. The rows
/// are the trials the summaries came from: the same seed gives the same file on any number of
/// threads.
public enum PerTrialCSV {
    public static func render(_ matrix: TrialMatrix, names: [String]) -> String {
        precondition(matrix.width == names.count)
        var out = (["trial"] + names).map(CSVReport.field).joined(separator: ",") + "\n"
        out.reserveCapacity(matrix.trials * (names.count * 12 + 8))
        for i in 0..<matrix.trials {
            out += String(i + 1)
            for j in 0..<matrix.width {
                out += ","
                out += NumberFormat.exact(matrix[i, j]) ?? ""
            }
            out += "\n"
        }
        return out
    }
}

extension ScenarioLoader {
    /// The name among `candidates` closest to `text` (for did-you-mean hints), if any is close.
    public static func closestName(to text: String, in candidates: [String]) -> String? {
        YAMLNode.closest(to: text, in: candidates)
    }
}
