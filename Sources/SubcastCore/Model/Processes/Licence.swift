import Foundation
import SubcastStochastics

/// The maintenance payers of the subscription path by condition: healthy, waiting on a ticket,
/// detractor with r months left (support load from licence customers; only `healthy` is used
/// without it), and the licence path's payers.
final class LicenceState {
    static let healthy = 0, waiting = 1, bad = 2
    var count: [Int]
    var licencePath = 0
    var licenceRevenue: UnsafeMutableBufferPointer<Double>
    var subscriptionRevenue: UnsafeMutableBufferPointer<Double>

    init(badMonths: Int, horizon: Int) {
        count = [Int](repeating: 0, count: 2 + badMonths)
        licenceRevenue = .allocate(capacity: horizon + 1)
        subscriptionRevenue = .allocate(capacity: horizon + 1)
        licenceRevenue.initialize(repeating: 0)
        subscriptionRevenue.initialize(repeating: 0)
    }

    deinit { licenceRevenue.deallocate(); subscriptionRevenue.deallocate() }

    var subscriptionPath: Int { count.reduce(0, +) }

    func reset(installedBase: Int) {
        for i in count.indices { count[i] = 0 }
        count[LicenceState.healthy] = installedBase
        licencePath = installedBase
        for m in 0..<licenceRevenue.count { licenceRevenue[m] = 0; subscriptionRevenue[m] = 0 }
    }
}

/// The switch from licences (`LicenceSwitch`): the licence path (the counterfactual: licences
/// keep selling) beside the subscription path.
///
/// Arrivals step (from the switch month, stream `licences`): Binomial(maintenance payers,
/// migration rate) of the subscription path's payers migrate to the migration plan, per
/// condition (a detractor's rate x the bad-resolution migration multiplier), into the migrant
/// group of the month. Last step of the month (stream `licences`): on the licence path
/// Poisson(licences a month) licences sell at the licence price and the payers survive
/// Binomial(n, renewal^(1/12)); on the subscription path the same before the switch (the same
/// draws), afterwards no licences sell and each condition's payers survive with the monthly
/// survival (waiting customers and detractors lapse at the multiplied hazard). Revenue: licence
/// sales + maintenance on the licence path; MRR + maintenance on the subscription path.
/// Metrics: `licence_path_revenue`, `subscription_path_revenue`, their cumulative sums,
/// `maintenance_payers`, `migrated`; scalars `valley_depth`, `valley_months`, `crossing_month`
/// (monthly: the subscription path first earns as much in a month), `overtake_month`
/// (cumulative: its revenue since month 1 first reaches the licence path's),
/// `overtakes_in_horizon`, `financing_need` (the largest cumulative shortfall, max over months
/// of cumulative licence minus cumulative subscription revenue, 0 if none) and its month,
/// `licence_customer_value` (see Scenarios/README.md for definitions).
struct LicenceProcess: Sendable {
    static let stream = "licences"
    let licence: LicenceSwitch
    let migrationPrice: Double
    /// Lapse and migration multipliers by condition (healthy, waiting, bad...).
    let lapseMultiplier: [Double]
    let migrationMultiplier: [Double]

    init?(_ scenario: Scenario, support: Support?) {
        guard let l = scenario.levers.licenceSwitch else { return nil }
        licence = l
        migrationPrice = l.migrationPricePerMonth ?? scenario.plans[l.migrationPlan].pricePerMonth
        let badMonths = l.support != nil ? (support?.badMonths ?? 0) : 0
        var lapse = [Double](repeating: 1, count: 2 + badMonths)
        var migrate = [Double](repeating: 1, count: 2 + badMonths)
        if let ls = l.support, let sp = support {
            lapse[LicenceState.waiting] = sp.waitingChurnMultiplier
            for r in 0..<badMonths {
                lapse[LicenceState.bad + r] = ls.badLapseMultiplier ?? sp.badChurnMultiplier
                migrate[LicenceState.bad + r] = ls.badMigrationMultiplier
            }
        }
        lapseMultiplier = lapse
        migrationMultiplier = migrate
    }

    /// Migrations of month m (from the switch month on); returns how many migrate.
    func migrate(_ state: LicenceState, using g: RandomGenerator) -> Int {
        var migrated = 0
        for st in state.count.indices where state.count[st] > 0 {
            let rate = min(1, licence.migrationPerMonth * migrationMultiplier[st])
            let k = Binomial.draw(trials: state.count[st], probability: rate, using: g)
            state.count[st] -= k
            migrated += k
        }
        return migrated
    }

    /// The month's licence paths, after billing (`mrr` is the month's subscription MRR).
    func step(_ state: LicenceState, _ x: Month, mrr: Double, using g: RandomGenerator) {
        let l = licence, m = x.m
        let fee = l.maintenancePerMonth
        let survival = l.maintenanceSurvivalPerMonth
        let sold = Poisson.draw(mean: l.licencesPerMonth, using: g)
        if m < l.switchMonth {
            let revenue = Double(sold) * l.licencePrice + Double(state.licencePath) * fee
            state.licenceRevenue[m] = revenue
            state.subscriptionRevenue[m] = revenue + mrr
            state.licencePath = Binomial.draw(trials: state.licencePath, probability: survival, using: g) + sold
            // Before the switch both paths are one business (licence customers raise tickets
            // only from the switch on), so the subscription path's payers are the licence path's.
            for st in state.count.indices { state.count[st] = 0 }
            state.count[LicenceState.healthy] = state.licencePath
        } else {
            state.licenceRevenue[m] = Double(sold) * l.licencePrice + Double(state.licencePath) * fee
            state.subscriptionRevenue[m] = Double(state.subscriptionPath) * fee + mrr
            state.licencePath = Binomial.draw(trials: state.licencePath, probability: survival, using: g) + sold
            for st in state.count.indices where state.count[st] > 0 {
                let x = lapseMultiplier[st]
                let keep = x == 1 ? survival : 1 - min(1, (1 - survival) * x)
                state.count[st] = Binomial.draw(trials: state.count[st], probability: keep, using: g)
            }
        }
    }

    /// The value of one licence customer (margin, discounted like CLTV over the lifetime
    /// horizon): margin x (price + sum_{a=1}^{L-1} fee x s^(a-1) / (1 + d)^a), s the monthly survival.
    func customerValue(margin: Double, discount: [Double], lifetime: Int) -> Double {
        var value = licence.licencePrice
        let s = licence.maintenanceSurvivalPerMonth
        var alive = 1.0
        for a in 1..<max(lifetime, 1) {
            value += licence.maintenancePerMonth * alive * discount[a]
            alive *= s
        }
        return margin * value
    }

    /// Valley, overtake month and licence customer value of one trial.
    func scalars(_ state: LicenceState, horizon H: Int, customerValue: Double, _ put: (Metric, Double) -> Void) {
        var depth = 0.0, valley = 0, recovered = false
        var cumulativeL = 0.0, cumulativeS = 0.0
        var overtake: Int? = nil, crossing: Int? = nil
        var need = 0.0, needMonth = 0
        for m in 1...H {
            cumulativeL += state.licenceRevenue[m]
            cumulativeS += state.subscriptionRevenue[m]
            guard m >= licence.switchMonth else { continue }
            let gap = state.licenceRevenue[m] - state.subscriptionRevenue[m]
            depth = max(depth, gap)
            if !recovered {
                if gap > 0 { valley += 1 } else { recovered = true; crossing = m }
            }
            if cumulativeL - cumulativeS > need { need = cumulativeL - cumulativeS; needMonth = m }
            if overtake == nil && cumulativeS >= cumulativeL { overtake = m }
        }
        put(.valleyDepth, depth)
        put(.valleyMonths, Double(valley))
        if let c = crossing { put(.crossingMonth, Double(c)) }
        if let o = overtake { put(.overtakeMonth, Double(o)) }
        put(.financingNeed, need)
        if needMonth > 0 { put(.financingNeedMonth, Double(needMonth)) }
        put(.overtakesInHorizon, overtake == nil ? 0 : 1)
        put(.licenceCustomerValue, customerValue)
    }
}
