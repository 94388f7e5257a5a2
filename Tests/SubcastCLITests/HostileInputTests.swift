import Foundation
import Testing

/// Inputs that used to crash or mislead: huge but valid amounts in every writer, negative option
/// values, YAML tags, prefixes of enumerated values, formula-like and control characters.
@Suite struct HostileInputTests {
    static func scenario(price: String = "10", name: String = "hostile", extra: String = "") -> String {
        """
        schema_version: 1
        name: \(name)
        horizon_months: 12
        trials: 20
        seed: 7
        plans:
          - {name: p, price_per_month: \(price), churn: {mean_per_month: 0.05, heterogeneity: 0.2}}
        acquisition: {new_per_month: 2000}
        \(extra)
        """
    }

    @Test(arguments: ["1e17", "1e15", "9.9e14", "123456789012345678"])
    func hugeAmountsAreFormattedInEveryWriter(_ price: String) throws {
        let ws = try Workspace()
        defer { ws.cleanup() }
        let path = try ws.write("big.yaml", Self.scenario(price: price, extra: "support: {agents: 1, tickets_per_agent_per_month: 10, first_contact_resolution: 0.8}"))
        for format in ["table", "csv", "json"] {
            let r = try ws.run(["run", path, "--format", format, "--quiet", "--report", "r-\(format).html"])
            #expect(r.status == 0, "price \(price), \(format): exit \(r.status), \(r.stderr)")
            #expect(!r.stdout.isEmpty)
        }
        let c = try ws.run(["compare", path, path, "--quiet"])
        #expect(c.status == 0, "compare, price \(price): \(c.stderr)")
    }

    @Test(arguments: [["--trials", "-1"], ["--threads", "-2"], ["--trials", "-5000"]])
    func negativeOptionValuesGetAClearMessage(_ option: [String]) throws {
        let ws = try Workspace()
        defer { ws.cleanup() }
        let path = try ws.write("s.yaml", Self.scenario())
        let r = try ws.run(["run", path] + option)
        #expect(r.status == 2, "\(option): exit \(r.status), \(r.stderr)")
        #expect(r.stderr.contains(option[0]) && r.stderr.contains("got \(option[1])"), "\(option): \(r.stderr)")
        #expect(!r.stderr.contains("Missing value"))
    }

    @Test(arguments: [("!!str 12", "tagged !!str"), ("!custom 12", "tagged !custom"), ("!!float 12", nil)])
    func taggedNumbersAreRefusedUnlessNumeric(_ price: String, _ says: String?) throws {
        let ws = try Workspace()
        defer { ws.cleanup() }
        let path = try ws.write("t.yaml", Self.scenario(price: price))
        let r = try ws.run(["validate", path])
        if let says {
            #expect(r.status == 2 && r.stderr.contains(says) && r.stderr.contains("plans[0].price_per_month"), "\(price): \(r.stderr)")
        } else {
            #expect(r.status == 0, "\(price): \(r.stderr)")
        }
    }

    @Test func aPrefixOfAnEnumeratedValueGetsADidYouMean() throws {
        let ws = try Workspace()
        defer { ws.cleanup() }
        let path = try ws.write("e.yaml", Self.scenario(extra: "economics: {cac_basis: sign}"))
        let r = try ws.run(["validate", path])
        #expect(r.status == 2 && r.stderr.contains("did you mean 'sign_up'?"), "\(r.stderr)")
    }

    @Test func formulaLikeTextIsDefusedInCSVAndControlCharactersAreRefused() throws {
        let ws = try Workspace()
        defer { ws.cleanup() }
        let path = try ws.write("f.yaml", Self.scenario(name: "\"=HYPERLINK(\\\"x\\\")\""))
        let r = try ws.run(["run", path, "--format", "csv", "--quiet"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains(",scenario,info,\"'=HYPERLINK(\"\"x\"\")\""), "\(r.stdout.prefix(200))")
        for name in ["\"bell\\a\"", "\"esc\\e[31m\"", "\"nul\\0\""] {
            let bad = try ws.write("b.yaml", Self.scenario(name: name))
            let v = try ws.run(["validate", bad])
            #expect(v.status == 2 && v.stderr.contains("control characters"), "\(name): \(v.stderr)")
        }
    }

    /// Distributions whose parameters would hang GSL, overflow or lose every digit: refused
    /// with the key and a reason, quickly, by every command.
    @Test(arguments: [
        ("{distribution: beta, mean: 10, sd: 0.00001, lower: 0, upper: 20}", "alpha + beta"),
        ("{distribution: beta, alpha: 1e7, beta: 1e7, lower: 0, upper: 20}", "alpha + beta"),
        ("{distribution: beta, alpha: 1e-4, beta: 2, lower: 0, upper: 20}", "double precision"),
        ("{distribution: gamma, shape: 1e-12, scale: 10}", "double precision"),
        ("{distribution: gamma, shape: 1e200, scale: 1e200}", "finite mean"),
        ("{distribution: pert, min: -1e308, mode: 0, max: 1e308}", "finite"),
        ("{distribution: uniform, min: -1e308, max: 1e308}", "finite width"),
        ("{distribution: lognormal, median: 1e300, log_sd: 20}", "finite"),
    ])
    func extremeDistributionParametersAreRefusedNotRun(_ price: String, _ says: String) throws {
        let ws = try Workspace()
        defer { ws.cleanup() }
        let path = try ws.write("d.yaml", Self.scenario(price: price))
        for command in [["validate", path], ["run", path, "--quiet"]] {
            let r = try ws.run(command, timeout: 30)
            #expect(!r.timedOut, "\(price): \(command[0]) hung")
            #expect(r.status == 2 && r.stderr.contains("plans[0].price_per_month") && r.stderr.contains(says),
                    "\(price), \(command[0]): exit \(r.status), \(r.stderr)")
        }
    }

    /// Discrete weights near the largest double keep their proportions: about half the trials
    /// price at 10 and half at 20 (before, every trial drew the first value).
    @Test func hugeDiscreteWeightsDrawEveryValue() throws {
        let ws = try Workspace()
        defer { ws.cleanup() }
        let path = try ws.write("w.yaml", Self.scenario(price: "{distribution: discrete, values: [10, 20], weights: [1e308, 1e308]}"))
        let r = try ws.run(["run", path, "--format", "csv", "--quiet", "--trials", "400"])
        #expect(r.status == 0, "\(r.stderr)")
        func value(_ stat: String) -> Double? {
            r.stdout.split(separator: "\n").first { $0.hasPrefix("1,arpu,\(stat),") }.flatMap { Double($0.split(separator: ",")[3]) }
        }
        let mean = try #require(value("mean")), sd = try #require(value("sd"))
        // A fair coin between 10 and 20: mean 15, sd 5; the mean within 4 se (se = 5 / 20), seed 7.
        #expect(abs(mean - 15) < 4 * 0.25 && abs(sd - 5) < 0.5, "ARPU mean \(mean), sd \(sd), seed 7, 400 trials")
    }

    /// Giant names: validation stays linear (the did-you-mean skips them) and messages stay short.
    @Test func giantNamesAreHandledQuicklyWithShortMessages() throws {
        let ws = try Workspace()
        defer { ws.cleanup() }
        let name = String(repeating: "x", count: 200_000)
        let typo = String(repeating: "x", count: 199_999) + "y"
        let path = try ws.write("n.yaml", Self.scenario(extra: "existing:\n  - {plan: \(typo), count: 10, tenure_months: 1}")
            .replacingOccurrences(of: "{name: p,", with: "{name: \(name),")
            .replacingOccurrences(of: "existing:", with: "existing:"))
        let start = Date()
        let r = try ws.run(["validate", path], timeout: 30)
        #expect(!r.timedOut && Date().timeIntervalSince(start) < 10, "validate took \(Date().timeIntervalSince(start)) s")
        #expect(r.status == 2 && r.stderr.contains("existing[0].plan"), "\(r.stderr.prefix(300))")
        #expect(r.stderr.utf8.count < 2000, "message of \(r.stderr.utf8.count) bytes")
        #expect(r.stderr.contains("characters)"))
    }

    /// `validate` reads the variants as `compare` does: a variant compare refuses is refused.
    @Test(arguments: [
        ("- {name: v, set: {horizon_months: 24}}", "horizon_months"),
        ("- {name: v, set: {plans.p.price_per_month: -3}}", "price"),
        ("- {name: base, set: {plans.p.price_per_month: 12}}", "base"),
        ("- {name: v, set: {plans.nosuch.price_per_month: 12}}", "nosuch"),
    ])
    func validateRefusesTheVariantsCompareRefuses(_ variant: String, _ says: String) throws {
        let ws = try Workspace()
        defer { ws.cleanup() }
        let path = try ws.write("v.yaml", Self.scenario(extra: "variants:\n  \(variant)"))
        let c = try ws.run(["compare", path, "--quiet"])
        let v = try ws.run(["validate", path])
        #expect(c.status == 2, "compare: \(c.stderr)")
        #expect(v.status == 2 && v.stderr.contains(says), "validate: exit \(v.status), \(v.stderr)")
        #expect(v.stderr == c.stderr, "validate and compare give the same message")
    }

    /// Control characters in a data file's plan names reach no terminal, table or snippet raw:
    /// they are shown as <U+001B> marks, and the snippet `fit` writes loads again.
    @Test func controlCharactersInDataFileNamesAreMadeVisible() throws {
        let ws = try Workspace()
        defer { ws.cleanup() }
        var rows = ["id,start,end,plan,amount"]
        for i in 0..<300 {
            let month = 1 + i % 12
            let end = i % 5 < 2 ? "2025-\(String(format: "%02d", min(12, month + 1 + i % 4)))-15" : ""
            rows.append("s\(i),2025-\(String(format: "%02d", month))-01,\(end),\(i % 2 == 0 ? "pro\u{1B}[31mRED\u{7}" : "basic"),20")
        }
        try ws.write("subs.csv", rows.joined(separator: "\n") + "\n")
        let r = try ws.run(["fit", "subs.csv", "--as-of", "2025-12-31", "--by-plan"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(!r.stdout.unicodeScalars.contains { $0.value == 0x1B || $0.value == 0x07 }, "a raw control character on stdout")
        #expect(r.stdout.contains("pro<U+001B>[31mRED<U+0007>"), "\(r.stdout.prefix(400))")
        let s = try ws.run(["fit", "subs.csv", "--as-of", "2025-12-31", "--by-plan", "--format", "snippet"])
        #expect(s.status == 0 && s.stdout.contains("pro<U+001B>[31mRED<U+0007>"), "\(s.stderr)")
        #expect(!s.stdout.unicodeScalars.contains { $0.value == 0x1B || $0.value == 0x07 })
    }

    /// A gross margin of the smallest double makes every CLTV subnormal: the histogram's bin
    /// width underflows to 0 and used to trap converting NaN to Int (found by the property test).
    @Test func subnormalPerTrialValuesAreBinnedWithoutATrap() throws {
        let ws = try Workspace()
        defer { ws.cleanup() }
        let path = try ws.write("m.yaml", Self.scenario(extra: "economics: {gross_margin: 4.9e-324}"))
        for format in ["table", "json"] {
            let r = try ws.run(["run", path, "--quiet", "--format", format, "--report", "m-\(format).html"])
            #expect(r.status == 0, "\(format): exit \(r.status), \(r.stderr.prefix(300))")
        }
    }
}

