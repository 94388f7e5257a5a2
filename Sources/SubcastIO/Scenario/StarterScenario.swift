/// The commented starter scenario that `subcast init` writes.
public enum StarterScenario {
    /// The file text for a scenario called `name` (quoted for YAML as needed).
    public static func text(name: String) -> String {
        let quoted = "\"" + name.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
        return """
        # A Subcast scenario (schema version 1). Every field is explained in Scenarios/README.md.
        # Check it with `subcast validate FILE`, forecast with `subcast run FILE`.
        schema_version: 1
        name: \(quoted)
        description: A starter scenario - replace the numbers with your own.
        currency: USD              # code or symbol shown in reports; no conversion happens
        horizon_months: 36         # months to report (month 1 is the first simulated month)
        trials: 2000               # Monte Carlo trials; more trials, smaller standard errors
        seed: 1                    # remove to draw a new seed each run (it is printed)

        plans:
          - name: basic
            price_per_month: 19    # per subscriber, in the currency above
            churn:
              mean_per_month: 0.05 # 5 % of new subscribers leave at their first renewal
              heterogeneity: 0.2   # 0 = everyone alike; higher = the fickle leave early, the rest stay
          - name: pro
            price_per_month: 49
            churn:                 # or give the shifted-beta-geometric parameters directly
              alpha: 0.8           # (e.g. from `subcast fit`)
              beta: 20

        acquisition:
          new_per_month: 100       # mean new subscribers in month 1 (Poisson)
          growth_per_month: 0.02   # 2 % more each month
          mix:                     # share of new subscribers per plan; sums to 1
            basic: 0.7
            pro: 0.3

        existing:                  # customers you already have at the start of month 1
          - plan: basic
            count: 500
            tenure_months: 6       # months they have already paid

        economics:
          gross_margin: 0.8        # CLTV counts gross-margin revenue
          discount_rate_per_year: 0.10
          cac_per_subscriber: 250  # acquisition cost, for LTV:CAC and CAC payback

        cltv:
          lifetime_months: 120     # CLTV horizon from acquisition, independent of horizon_months

        """
    }
}

import Foundation
