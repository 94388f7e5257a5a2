import Foundation
import Testing
@testable import SubcastIO

/// One bad scenario and the error it must produce.
struct BadCase: Sendable, CustomTestStringConvertible {
    let label: String
    let text: String
    let line: Int
    let keyPath: String
    /// A fragment of the message saying what was expected.
    let fragments: [String]

    init(_ label: String, _ text: String, line: Int, keyPath: String, _ fragments: String...) {
        self.label = label
        self.text = text
        self.line = line
        self.keyPath = keyPath
        self.fragments = fragments
    }

    var testDescription: String { label }
}

/// Two-plan variant of the base scenario (plans on lines 6-13, acquisition on 14-15).
private let twoPlans = base(replacing: 10, with: """
          beta: 5
      - name: pro
        price_per_month: 30
        churn: {alpha: 2, beta: 3}
    """)

let badCases: [BadCase] = [
    // Whole-document problems.
    BadCase("empty file", "", line: 0, keyPath: "", "file is empty"),
    BadCase("whitespace only", "  \n\t\n   \n", line: 0, keyPath: "", "file is empty"),
    BadCase("comment only", "# nothing here\n", line: 0, keyPath: "", "no document"),
    BadCase("scalar document", "just some text\n", line: 1, keyPath: "", "expected a mapping", "'just some text'"),
    BadCase("list document", "- a\n- b\n", line: 1, keyPath: "", "expected a mapping", "got a list"),
    BadCase("unclosed flow bracket (JSON)", "{\"name\": \"t\",\n \"plans\": [1, 2}\n", line: 2, keyPath: "",
            "invalid YAML/JSON", "expected ',' or ']'"),
    BadCase("unclosed flow bracket (YAML, at end)", "name: t\nplans: [1, 2\n", line: 3, keyPath: "",
            "invalid YAML/JSON", "flow sequence"),
    BadCase("tab indentation", "name: t\n\thorizon_months: 3\n", line: 2, keyPath: "", "invalid YAML/JSON"),
    BadCase("complex key", "? [a, b]\n: 1\n", line: 1, keyPath: "", "expected a plain key", "got a list"),
    BadCase("schema_version 2", base(replacing: 1, with: "schema_version: 2"), line: 1, keyPath: "schema_version",
            "reads schema_version 1, got 2"),
    BadCase("schema_version text", base(replacing: 1, with: "schema_version: one"), line: 1, keyPath: "schema_version",
            "expected a whole number >= 0", "'one'"),

    // Duplicate keys: reported at the repeated occurrence, naming the first.
    BadCase("duplicate top-level key", base(appending: "name: again"), line: 13, keyPath: "name",
            "duplicate key 'name'", "first given on line 2", "each key may appear once"),

    // Wrong types.
    BadCase("string for horizon", base(replacing: 3, with: "horizon_months: twelve"), line: 3, keyPath: "horizon_months",
            "expected a whole number from 1 to 1200", "got 'twelve'"),
    BadCase("quoted number for price", base(replacing: 7, with: "    price_per_month: \"10\""), line: 7,
            keyPath: "plans[0].price_per_month", "expected a price from 0 to 1e18", "got the string \"10\""),
    BadCase("list for churn mapping", base(replacing: 8...10, with: "    churn: [1, 5]"), line: 8,
            keyPath: "plans[0].churn", "expected a mapping", "got a list"),
    BadCase("list for economics", base(appending: "economics: [1, 2]"), line: 13, keyPath: "economics",
            "expected a mapping (key: value lines), got a list"),
    BadCase("mapping for plans list", base(replacing: 5...10, with: "plans: {name: basic}"), line: 5, keyPath: "plans",
            "expected a list", "got a mapping"),
    BadCase("mapping for existing list", base(appending: "existing: {plan: basic, count: 3}"), line: 13, keyPath: "existing",
            "expected a list"),
    BadCase("list for name", base(replacing: 2, with: "name: [a, b]"), line: 2, keyPath: "name", "expected a text value", "got a list"),
    BadCase("boolean for trials", base(replacing: 4, with: "trials: yes"), line: 4, keyPath: "trials",
            "expected a whole number from 1 to 10000000", "got 'yes'"),

    // Missing required fields.
    BadCase("missing name", base(replacing: 2, with: nil), line: 1, keyPath: "name", "missing required key 'name'"),
    BadCase("missing horizon_months", base(replacing: 3, with: nil), line: 1, keyPath: "horizon_months",
            "missing required key 'horizon_months'"),
    BadCase("missing plans", base(replacing: 5...10, with: nil), line: 1, keyPath: "plans", "missing required key 'plans'"),
    BadCase("empty plans", base(replacing: 5...10, with: "plans: []"), line: 5, keyPath: "plans", "at least one plan"),
    BadCase("null name", base(replacing: 2, with: "name:"), line: 2, keyPath: "name", "expected the scenario's name", "got nothing (null)"),
    BadCase("missing plan name", base(replacing: 6...7, with: "  - price_per_month: 10"), line: 6, keyPath: "plans[0].name",
            "missing required key 'name'"),
    BadCase("empty plan name", base(replacing: 6, with: "  - name: \"\""), line: 6, keyPath: "plans[0].name", "non-empty plan name"),
    BadCase("missing plan price", base(replacing: 7, with: nil), line: 6, keyPath: "plans[0].price_per_month",
            "missing required key 'price_per_month'"),
    BadCase("missing churn", base(replacing: 8...10, with: nil), line: 6, keyPath: "plans[0].churn",
            "missing required key 'churn'", "alpha and beta, or mean_per_month and heterogeneity"),
    BadCase("null churn", base(replacing: 8...10, with: "    churn: ~"), line: 8, keyPath: "plans[0].churn", "got nothing (null)"),
    BadCase("missing new_per_month", base(replacing: 12, with: "  growth_per_month: 0.01"), line: 12,
            keyPath: "acquisition.new_per_month", "missing required key 'new_per_month'"),
    BadCase("existing without count", base(appending: "existing:\n  - plan: basic"), line: 14, keyPath: "existing[0].count",
            "missing required key 'count'"),

    // Out-of-range numbers.
    BadCase("negative price", base(replacing: 7, with: "    price_per_month: -5"), line: 7, keyPath: "plans[0].price_per_month",
            "expected a price from 0 to 1e18, got -5"),
    BadCase("negative new_per_month", base(replacing: 12, with: "  new_per_month: -1"), line: 12, keyPath: "acquisition.new_per_month",
            "expected a mean >= 0, got -1"),
    BadCase("NaN price", base(replacing: 7, with: "    price_per_month: .nan"), line: 7, keyPath: "plans[0].price_per_month",
            "expected a price from 0 to 1e18", "NaN and infinity are not allowed"),
    BadCase("NaN gross margin (.NaN)", base(appending: "economics:\n  gross_margin: .NaN"), line: 14, keyPath: "economics.gross_margin",
            "NaN and infinity are not allowed"),
    BadCase("bare nan", base(replacing: 9, with: "      alpha: nan"), line: 9, keyPath: "plans[0].churn.alpha",
            "expected alpha from 1e-300", "NaN and infinity are not allowed"),
    BadCase("infinite new_per_month", base(replacing: 12, with: "  new_per_month: .inf"), line: 12, keyPath: "acquisition.new_per_month",
            "expected a mean >= 0", "NaN and infinity are not allowed"),
    BadCase("minus infinity growth", base(appending: "  growth_per_month: -.inf"), line: 13, keyPath: "acquisition.growth_per_month",
            "growth rate > -1", "NaN and infinity are not allowed"),
    BadCase("growth -1", base(appending: "  growth_per_month: -1"), line: 13, keyPath: "acquisition.growth_per_month",
            "growth rate > -1", "got -1"),
    BadCase("mean_per_month 1.5", base(replacing: 8...10, with: "    churn: {mean_per_month: 1.5, heterogeneity: 0.1}"), line: 8,
            keyPath: "plans[0].churn.mean_per_month", "strictly between 0 and 1", "got 1.5"),
    BadCase("mean_per_month 0", base(replacing: 8...10, with: "    churn: {mean_per_month: 0, heterogeneity: 0.1}"), line: 8,
            keyPath: "plans[0].churn.mean_per_month", "strictly between 0 and 1", "got 0"),
    BadCase("heterogeneity 1", base(replacing: 8...10, with: "    churn:\n      mean_per_month: 0.05\n      heterogeneity: 1"), line: 10,
            keyPath: "plans[0].churn.heterogeneity", "up to, not including, 1", "got 1"),
    BadCase("gross_margin 1.2", base(appending: "economics:\n  gross_margin: 1.2"), line: 14, keyPath: "economics.gross_margin",
            "a fraction from 0 to 1, got 1.2"),
    BadCase("negative discount", base(appending: "economics: {discount_rate_per_year: -0.1}"), line: 13,
            keyPath: "economics.discount_rate_per_year", "yearly rate from 0 to 10", "got -0.1"),
    BadCase("negative cac", base(appending: "economics: {cac_per_subscriber: -3}"), line: 13,
            keyPath: "economics.cac_per_subscriber", "an amount from 0 to 1e12, got -3"),
    BadCase("alpha 0", base(replacing: 9, with: "      alpha: 0"), line: 9, keyPath: "plans[0].churn.alpha", "expected alpha from 1e-300 to 1e9, got 0"),
    BadCase("alpha negative", base(replacing: 9, with: "      alpha: -0.5"), line: 9, keyPath: "plans[0].churn.alpha",
            "expected alpha from 1e-300 to 1e9, got -0.5"),
    BadCase("beta 0", base(replacing: 10, with: "      beta: 0"), line: 10, keyPath: "plans[0].churn.beta", "expected beta from 1e-300 to 1e9, got 0"),
    BadCase("beta negative", base(replacing: 10, with: "      beta: -2"), line: 10, keyPath: "plans[0].churn.beta", "expected beta from 1e-300 to 1e9, got -2"),
    BadCase("alpha without beta", base(replacing: 10, with: nil), line: 9, keyPath: "plans[0].churn",
            "expected either both 'alpha' and 'beta'", "or both 'mean_per_month' and 'heterogeneity'", "got 'alpha'"),
    BadCase("alpha and mean_per_month", base(replacing: 10, with: "      beta: 5\n      mean_per_month: 0.1"), line: 9,
            keyPath: "plans[0].churn", "expected either both 'alpha' and 'beta'", "'mean_per_month'"),
    BadCase("empty churn mapping", base(replacing: 8...10, with: "    churn: {}"), line: 8, keyPath: "plans[0].churn",
            "expected either both 'alpha' and 'beta'"),
    BadCase("horizon 0", base(replacing: 3, with: "horizon_months: 0"), line: 3, keyPath: "horizon_months",
            "expected a whole number from 1 to 1200, got 0"),
    BadCase("horizon 10^9", base(replacing: 3, with: "horizon_months: 1000000000"), line: 3, keyPath: "horizon_months",
            "expected a whole number from 1 to 1200, got 1000000000"),
    BadCase("horizon 1e9", base(replacing: 3, with: "horizon_months: 1e9"), line: 3, keyPath: "horizon_months",
            "from 1 to 1200, got 1000000000"),
    BadCase("horizon 1e300", base(replacing: 3, with: "horizon_months: 1e300"), line: 3, keyPath: "horizon_months",
            "from 1 to 1200"),
    BadCase("fractional horizon", base(replacing: 3, with: "horizon_months: 12.5"), line: 3, keyPath: "horizon_months",
            "whole number", "got 12.5"),
    BadCase("trials 10^15", base(replacing: 4, with: "trials: 1000000000000000"), line: 4, keyPath: "trials",
            "expected a whole number from 1 to 10000000, got 1000000000000000"),
    BadCase("trials 0", base(replacing: 4, with: "trials: 0"), line: 4, keyPath: "trials", "from 1 to 10000000, got 0"),
    BadCase("negative seed", base(appending: "seed: -1"), line: 13, keyPath: "seed",
            "expected a whole number from 0 to 18446744073709551615", "'-1'"),
    BadCase("seed 2^64", base(appending: "seed: 18446744073709551616"), line: 13, keyPath: "seed",
            "expected a whole number from 0 to 18446744073709551615"),
    BadCase("fractional seed", base(appending: "seed: 1.5"), line: 13, keyPath: "seed", "expected a whole number"),
    BadCase("lifetime 0", base(appending: "cltv:\n  lifetime_months: 0"), line: 14, keyPath: "cltv.lifetime_months",
            "from 1 to 1200, got 0"),
    BadCase("lifetime 1201", base(appending: "cltv: {lifetime_months: 1201}"), line: 13, keyPath: "cltv.lifetime_months",
            "from 1 to 1200, got 1201"),
    BadCase("negative existing count", base(appending: "existing:\n  - plan: basic\n    count: -4"), line: 15,
            keyPath: "existing[0].count", "from 0 to 4000000000, got -4"),
    BadCase("negative tenure", base(appending: "existing:\n  - {plan: basic, count: 4, tenure_months: -1}"), line: 14,
            keyPath: "existing[0].tenure_months", "got -1"),
    BadCase("growth that explodes", base(replacing: 3, with: "horizon_months: 120") + "  growth_per_month: 1\n", line: 13,
            keyPath: "acquisition.growth_per_month", "at most 4000000000"),
    BadCase("growth above 10", base(appending: "  growth_per_month: 11"), line: 13, keyPath: "acquisition.growth_per_month",
            "growth rate > -1", "got 11"),
    BadCase("new_per_month above the count limit", base(replacing: 12, with: "  new_per_month: 5e9"), line: 12,
            keyPath: "acquisition.new_per_month", "a mean >= 0", "got 5e9"),

    // Unknown keys, with suggestions.
    BadCase("churm", base(replacing: 8, with: "    churm:"), line: 8, keyPath: "plans[0].churm",
            "unknown key 'churm' in plans[0]", "did you mean 'churn'?"),
    BadCase("horizon_month", base(replacing: 3, with: "horizon_month: 12"), line: 3, keyPath: "horizon_month",
            "unknown key 'horizon_month'", "did you mean 'horizon_months'?"),
    BadCase("gross_margn", base(appending: "economics:\n  gross_margn: 0.5"), line: 14, keyPath: "economics.gross_margn",
            "did you mean 'gross_margin'?"),
    BadCase("Alpha (case)", base(replacing: 9, with: "      Alpha: 1"), line: 9, keyPath: "plans[0].churn.Alpha",
            "unknown key 'Alpha'", "did you mean 'alpha'?"),
    BadCase("cohort (report)", base(appending: "report:\n  cohort: [1]"), line: 14, keyPath: "report.cohort",
            "did you mean 'cohorts'?", "(allowed: cohorts)"),

    // Cross-references and consistency.
    BadCase("mix names an unknown plan", base(appending: "  mix: {basic: 0.5, premium: 0.5}"), line: 13,
            keyPath: "acquisition.mix.premium", "unknown key 'premium' in acquisition.mix", "(allowed: basic)"),
    BadCase("mix with a typo", twoPlans + "  mix: {basic: 0.5, prp: 0.5}\n", line: 16,
            keyPath: "acquisition.mix.prp", "did you mean 'pro'?"),
    BadCase("mix does not sum to 1", base(appending: "  mix: {basic: 0.7}"), line: 13, keyPath: "acquisition.mix",
            "add up to 1, got a total of 0.7"),
    BadCase("mix sums above 1", twoPlans + "  mix:\n    basic: 0.7\n    pro: 0.7\n", line: 17, keyPath: "acquisition.mix",
            "add up to 1"),
    BadCase("negative mix share", twoPlans + "  mix: {basic: 1.5, pro: -0.5}\n", line: 16, keyPath: "acquisition.mix.basic",
            "a share from 0 to 1, got 1.5"),
    BadCase("missing mix with two plans", twoPlans, line: 15, keyPath: "acquisition.mix",
            "missing required key 'mix'", "with 2 plans"),
    BadCase("existing names an unknown plan", base(appending: "existing:\n  - plan: premium\n    count: 5"), line: 14,
            keyPath: "existing[0].plan", "no plan named 'premium'", "(plans: basic)"),
    BadCase("existing plan typo", base(appending: "existing:\n  - {plan: basik, count: 5}"), line: 14,
            keyPath: "existing[0].plan", "no plan named 'basik'; did you mean 'basic'?"),
    BadCase("duplicate plan names", base(replacing: 10, with: "      beta: 5\n  - name: basic\n    price_per_month: 5\n    churn: {alpha: 1, beta: 2}"),
            line: 11, keyPath: "plans[1]", "plan name 'basic' is used twice", "must be unique"),
    BadCase("report.cohorts beyond the horizon", base(appending: "report:\n  cohorts: [1, 13]"), line: 14,
            keyPath: "report.cohorts[1]", "from 1 to 12, got 13"),
    BadCase("report.cohorts month 0", base(appending: "report:\n  cohorts:\n    - 0"), line: 15,
            keyPath: "report.cohorts[0]", "from 1 to 12, got 0"),
    BadCase("report.cohorts repeated", base(appending: "report: {cohorts: [3, 3]}"), line: 13,
            keyPath: "report.cohorts[1]", "cohort month 3 is listed twice"),
]

@Suite struct ScenarioErrorTests {
    @Test(arguments: badCases)
    func badScenarioIsRejected(_ c: BadCase) {
        guard let e = scenarioError(c.text, file: "bad/case.yaml") else {
            Issue.record("\(c.label): parsed without an error:\n\(c.text)")
            return
        }
        #expect(e.file == "bad/case.yaml", "\(c.label): \(e)")
        #expect(e.line == c.line, "\(c.label): line; error was \(e)")
        #expect(e.keyPath == c.keyPath, "\(c.label): key path; error was \(e)")
        for f in c.fragments {
            #expect(e.message.contains(f), "\(c.label): message should contain \"\(f)\"; error was \(e)")
        }
        if e.line > 0 { #expect(e.column > 0, "\(c.label): a known line has a column; error was \(e)") }
        // The description is `file:line:column: key.path: message`.
        var prefix = "bad/case.yaml"
        if e.line > 0 { prefix += ":\(e.line):\(e.column)" }
        if !e.keyPath.isEmpty { prefix += ": \(e.keyPath)" }
        #expect(e.description == "\(prefix): \(e.message)")
    }

    @Test func descriptionFormat() {
        #expect(ScenarioError(file: "s.yaml", line: 14, column: 12, keyPath: "plans[1].churn.alpha",
                              message: "expected a number > 0, got -0.5").description
                == "s.yaml:14:12: plans[1].churn.alpha: expected a number > 0, got -0.5")
        #expect(ScenarioError(file: "s.yaml", message: "file is empty").description == "s.yaml: file is empty")
        #expect(ScenarioError(file: "s.yaml", line: 3, message: "m").description == "s.yaml:3: m")
        #expect(ScenarioError(file: "<command line>", keyPath: "--trials", message: "m").description == "<command line>: --trials: m")
    }

    @Test func unknownKeyFarFromEveryAllowedKeyHasNoSuggestion() throws {
        let e = try #require(scenarioError(base(appending: "zzzzzzzz: 1")))
        #expect(e.line == 13 && e.keyPath == "zzzzzzzz", "\(e)")
        #expect(e.message.contains("unknown key 'zzzzzzzz'"), "\(e)")
        #expect(!e.message.contains("did you mean"), "\(e)")
        #expect(e.message.contains("allowed: schema_version, name,"), "\(e)")
    }

    @Test func nestedDuplicateKeyIsReportedAtItsMapping() throws {
        let e = try #require(scenarioError(base(replacing: 9, with: "      alpha: 1\n      alpha: 2")))
        // Reported at the repeated occurrence (line 10) with its key path, naming the first (line 9).
        #expect(e.line == 10, "\(e)")
        #expect(e.message.contains("duplicate key 'alpha' (first given on line 9)"), "\(e)")
        #expect(e.keyPath == "plans[0].churn.alpha", "\(e)")
    }

    /// Anchors and aliases in every position a value can start, with the line and column of the `&`/`*`.
    @Test(arguments: [
        ("anchor on a top-level value", base(replacing: 2, with: "name: &n base\ncurrency: *n"), 2, 7),
        ("alias only (anchor undefined)", base(appending: "currency: *n"), 13, 11),
        ("anchor on a mapping", base(appending: "economics: &e {gross_margin: 1}\ncltv: *e"), 13, 12),
        ("anchor in a block list", base(replacing: 6, with: "  - &p name: basic"), 6, 5),
        ("alias in a flow list", base(appending: "report: {cohorts: [1, &c 2, *c]}"), 13, 23),
        ("anchor on a key", base(replacing: 3, with: "&h horizon_months: 12"), 3, 1),
        ("anchor in a JSON document", "{\"name\": &n \"t\", \"currency\": *n}", 1, 10),
    ])
    func anchorsAndAliasesAreRejected(_ label: String, _ text: String, _ line: Int, _ column: Int) throws {
        let e = try #require(scenarioError(text), "\(label): alias use was accepted")
        #expect(e.message.contains("anchors (&name) and aliases (*name) are not supported"), "\(label): \(e)")
        #expect(e.line == line && e.column == column, "\(label): \(e)")
        #expect(e.keyPath == "", "\(label): \(e)")
    }

    @Test func ampersandsAndAsterisksInTextAreNotAliases() throws {
        let ok = base(replacing: 2, with: "name: R&D *beta* & co\ndescription: \"&quoted *text\"\ncurrency: '*'")
        let s = try ScenarioLoader.parse(text: ok, file: "text.yaml")
        #expect(s.name == "R&D *beta* & co")
        #expect(s.currency == "*")
        // A comment may say anything.
        #expect(throws: Never.self) { try ScenarioLoader.parse(text: base(appending: "# &anchor *alias"), file: "c.yaml") }
    }

    @Test func blockScalarLinesStartingWithAsteriskAreText() {
        // In a literal block scalar every line is text; '*starred*' is not an alias.
        let text = base(replacing: 2, with: "name: base\ndescription: |\n  Plans:\n  *starter* is cheap\n  &co sells it")
        #expect(throws: Never.self) { try ScenarioLoader.parse(text: text, file: "block.yaml") }
    }

    @Test func quoteAtTheStartOfABlockScalarLineDoesNotHideAliases() {
        // An unmatched quote at the start of a block-scalar line must not switch the alias scan off
        // for the rest of the file.
        let text = "description: |\n  'tis the season\nname: &n t\ncurrency: *n\nhorizon_months: 3\n"
            + "plans: [{name: a, price_per_month: 1, churn: {alpha: 1, beta: 1}}]\n"
        let e = scenarioError(text)
        #expect(e?.message.contains("aliases") == true, "got \(String(describing: e))")
        #expect(e?.line == 3, "got \(String(describing: e))")
    }

    // MARK: bytes and size

    @Test(arguments: [
        ("NUL and invalid UTF-8", Data([0x00, 0xFF, 0xFE, 0x41, 0x00])),
        ("NUL inside valid UTF-8", Data("name: t\u{0}\nhorizon_months: 3\n".utf8)),
        ("invalid UTF-8 without NUL", Data([0x6E, 0x61, 0x6D, 0x65, 0x3A, 0x20, 0xC3, 0x28, 0x0A])),
        ("random binary", Data((0..<512).map { UInt8(truncatingIfNeeded: $0 &* 7919 &+ 13) })),
    ])
    func binaryJunkIsRejected(_ label: String, _ data: Data) throws {
        let e = try #require(scenarioError(data: data, file: "junk.bin"), "\(label) parsed")
        #expect(e.file == "junk.bin")
        #expect(e.line == 0 && e.keyPath == "", "\(label): \(e)")
        #expect(e.message.contains("is not UTF-8 text; expected a YAML or JSON scenario"), "\(label): \(e)")
    }

    @Test func deeplyNestedFlowDocumentFailsFast() throws {
        let clock = ContinuousClock()
        for text in ["name: " + String(repeating: "[", count: 10_000) + "\n",
                     String(repeating: "{a: ", count: 10_000) + "1" + String(repeating: "}", count: 10_000),
                     "name: t\nplans:\n" + String(repeating: "[", count: 100_000)] {
            var error: ScenarioError?
            let elapsed = clock.measure { error = scenarioError(text) }
            let e = try #require(error)
            #expect(e.message.contains("nested deeper than 64 levels"), "\(e)")
            #expect(e.line == (text.hasPrefix("name: t\n") ? 3 : 1), "\(e)")
            #expect(elapsed < .seconds(2), "nesting check took \(elapsed)")
        }
        // 64 levels are allowed by the nesting check (the document is then wrong for other reasons).
        let e64 = try #require(scenarioError("name: " + String(repeating: "[", count: 64) + String(repeating: "]", count: 64)))
        #expect(!e64.message.contains("nested"), "\(e64)")
        // Brackets inside quotes and comments do not count.
        let quoted = base(replacing: 2, with: "name: \"" + String(repeating: "[", count: 500) + "\" # " + String(repeating: "{", count: 500))
        #expect(try ScenarioLoader.parse(text: quoted, file: "q.yaml").name == String(repeating: "[", count: 500))
    }

    @Test func deeplyIndentedBlockDocumentFailsFast() throws {
        var text = "name: t\n"
        for i in 0..<300 { text += String(repeating: " ", count: i + 1) + "k\(i):\n" }
        let e = try #require(scenarioError(text))
        #expect(e.message.contains("indented deeper than 256 columns"), "\(e)")
        #expect(e.line == 258, "\(e)")
    }

    @Test func hugeDocumentsAreRejected() throws {
        let limit = ScenarioLoader.Limits.maximumFileBytes
        // Over the byte limit, as data and as a file.
        let huge = Data(("name: t\n" + String(repeating: "# padding padding padding padding padding padding padding\n", count: limit / 50)).utf8)
        #expect(huge.count > limit)
        let e1 = try #require(scenarioError(data: huge, file: "huge.yaml"))
        #expect(e1.line == 0 && e1.keyPath == "" && e1.message.contains("limited to \(limit) bytes"), "\(e1)")

        let dir = try TempDir()
        defer { dir.cleanup() }
        let path = dir.file("huge.yaml")
        try huge.write(to: URL(fileURLWithPath: path))
        do {
            _ = try ScenarioLoader.load(path: path)
            Issue.record("a \(huge.count)-byte file was accepted")
        } catch {
            #expect(error.file == path && error.line == 0, "\(error)")
            #expect(error.message.contains("file is \(huge.count) bytes; scenario files are limited to \(limit) bytes"), "\(error)")
        }

        // Under the byte limit but with too many values.
        let many = "name: t\nhorizon_months: 3\nplans: [" + Array(repeating: "1", count: 210_000).joined(separator: ",") + "]\n"
        let clock = ContinuousClock()
        var e2: ScenarioError?
        let elapsed = clock.measure { e2 = scenarioError(many) }
        let e = try #require(e2)
        #expect(e.message.contains("more than 200000 values"), "\(e)")
        #expect(elapsed < .seconds(20), "took \(elapsed)")
    }

    @Test func aliasBombIsCutOffByTheValueLimit() throws {
        var text = "name: t\nhorizon_months: 3\nplans: [{name: a, price_per_month: 1, churn: {alpha: 1, beta: 1}}]\n"
        text += "x0: &a0 [x, x, x, x, x, x, x, x, x, x]\n"
        for i in 1..<9 { text += "x\(i): &a\(i) [" + Array(repeating: "*a\(i - 1)", count: 10).joined(separator: ", ") + "]\n" }
        let clock = ContinuousClock()
        var error: ScenarioError?
        let elapsed = clock.measure { error = scenarioError(text) }
        let e = try #require(error)
        #expect(e.message.contains("more than 200000 values") || e.message.contains("aliases"), "\(e)")
        #expect(elapsed < .seconds(5), "took \(elapsed)")
    }

    // MARK: paths

    @Test func nonexistentFileIsReported() throws {
        let dir = try TempDir()
        defer { dir.cleanup() }
        let path = dir.file("does-not-exist.yaml")
        do {
            _ = try ScenarioLoader.load(path: path)
            Issue.record("loading a missing file succeeded")
        } catch {
            #expect(error.file == path && error.line == 0 && error.keyPath == "", "\(error)")
            #expect(error.message.contains("no such file"), "\(error)")
            #expect(error.description.hasPrefix(path + ": "), "\(error)")
        }
    }

    @Test func directoryIsReported() throws {
        let dir = try TempDir()
        defer { dir.cleanup() }
        do {
            _ = try ScenarioLoader.load(path: dir.path)
            Issue.record("loading a directory succeeded")
        } catch {
            #expect(error.file == dir.path && error.line == 0 && error.keyPath == "", "\(error)")
            #expect(error.message.contains("is a directory, expected a scenario file"), "\(error)")
        }
    }
}
