import Testing
@testable import SubcastIO

/// Values that parse as numbers but would break the model downstream (found by fuzzing).
@Suite struct ExtremeValueTests {
    static let base = """
    name: x
    horizon_months: 12
    plans:
      - name: p
        price_per_month: 10

    """

    @Test(arguments: [
        ("    churn: {mean_per_month: 0.5, heterogeneity: 1e-320}", "plans[0].churn.heterogeneity", "from 1e-9"),
        ("    churn: {alpha: 1e308, beta: 1}", "plans[0].churn.alpha", "to 1e9"),
        ("    churn: {alpha: 1, beta: 1e308}", "plans[0].churn.beta", "to 1e9"),
    ])
    func parameterOverflowIsAnInputError(_ churn: String, _ keyPath: String, _ fragment: String) {
        do {
            _ = try ScenarioLoader.parse(text: Self.base + churn + "\n", file: "x.yaml")
            Issue.record("\(churn) was accepted")
        } catch {
            #expect(error.line == 6 && error.keyPath == keyPath && error.message.contains(fragment), "\(error)")
        }
    }

    @Test func heterogeneityZeroAndSmallButUsableValuesStillLoad() throws {
        for h in ["0", "1e-9", "0.001"] {
            let s = try ScenarioLoader.parse(text: Self.base + "    churn: {mean_per_month: 0.05, heterogeneity: \(h)}\n", file: "x.yaml")
            #expect(s.plans.count == 1)
        }
    }
}
