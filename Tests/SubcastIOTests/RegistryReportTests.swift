import Foundation
import SubcastCore
import Testing
@testable import SubcastIO

/// The reports are driven by the metric registry: every metric a run reports appears in the
/// table and HTML reports (by its registry label, in its process's section) and in JSON and CSV,
/// with no list of metric names in the reports, so adding a process needs no report edit.
@Suite struct RegistryReportTests {
    /// Every process on: all levers, referrals and support load from licence customers.
    static func everyProcess() -> Scenario {
        var s = Scenario(name: "every process", horizonMonths: 14, trials: 24,
                         plans: [Plan(name: "basic", pricePerMonth: 20, churn: .shiftedBetaGeometric(alpha: 0.6, beta: 9)),
                                 Plan(name: "team", pricePerMonth: 80, churn: .shiftedBetaGeometric(alpha: 0.4, beta: 12))],
                         acquisition: Acquisition(newPerMonth: 100, planMix: [0.7, 0.3]),
                         existing: [ExistingCohort(plan: 1, count: 300, tenureMonths: 5)],
                         economics: Economics(grossMargin: 0.8, cacPerSubscriber: 200), lifetimeMonths: 16)
        s.plans[0].options = PlanOptions(annualShare: 0.3, introDiscount: 0.5, introMonths: 2,
                                         usage: Usage(pricePerUnit: 0.01, meanUnitsPerMonth: 500, cv: 0.7),
                                         moves: [(plan: 1, probability: 0.01)], ticketsPerMonth: 0.3, upsellTo: 1)
        s.plans[1].options = PlanOptions(seats: Seats(pricePerSeat: 9, meanAtSignup: 4), ticketsPerMonth: 0.5)
        s.levers = Levers(support: Support(agents: 2, ticketsPerAgentPerMonth: 100, firstContactResolution: 0.7,
                                           badChurnMultiplier: 3, badMonths: 2, goodChurnMultiplier: 0.5, goodMonths: 2,
                                           upsellProbability: 0.1),
                          onboarding: Onboarding(rampMedianMonths: 1.5, rampLogSD: 0.7, thresholdMonths: 2.5,
                                                 atRiskChurnMultiplier: 2.5, detectionRate: 0.6, successRate: 0.5),
                          priceEvents: [PriceEvent(month: 6, plan: 0, newPricePerMonth: 24, churnShock: 0.04)],
                          freeTrial: FreeTrial(months: 1, conversion: 0.6), dunning: Dunning(failureRate: 0.04, recoveryProbability: 0.6),
                          licenceSwitch: LicenceSwitch(switchMonth: 3, licencesPerMonth: 10, licencePrice: 900, maintenanceShare: 0.2,
                                                       maintenanceRenewal: 0.8, installedBase: 200, migrationPerMonth: 0.05,
                                                       migrationPlan: 1, support: LicenceSupport(ticketsPerMonth: 0.1)),
                          referrals: Referrals(perActivePerMonth: 0.01, rewardPerReferral: 20))
        return s
    }

    @Test func everyReportedMetricAppearsInEveryReport() throws {
        let s = Self.everyProcess()
        let r = try Simulation.run(s, seed: 3, threads: 2)
        let info = RunInfo(scenarioFile: "every.yaml")
        let table = TableReport.render(r, info: info)
        let html = HTMLReport.render(r, info: info)
        let json = JSONReport.render(r, info: info)
        let csv = CSVReport.render(r, info: info)
        for m in Metric.allCases where r.has(m.name) {
            #expect(json.contains("\"\(m.name)\""), "JSON lacks \(m.name)")
            #expect(csv.contains(",\(m.name),"), "CSV lacks \(m.name)")
            guard m.info.process != .cohort else { continue }
            #expect(table.contains(m.info.label) || table.lowercased().contains(m.info.label.lowercased()),
                    "the table report shows no column or line for \(m.name) (label '\(m.info.label)', process \(m.info.process))")
            #expect(html.contains(m.info.label) || html.lowercased().contains(m.info.label.lowercased()),
                    "the HTML report shows nothing for \(m.name) (label '\(m.info.label)')")
        }
        // Every running process has a section (written out or from the registry).
        for p in ForecastModel.processes(of: s) where !TableReport.writtenOut.contains(p) {
            #expect(table.contains(p.title), "no table section for the \(p) process")
        }
    }
}
