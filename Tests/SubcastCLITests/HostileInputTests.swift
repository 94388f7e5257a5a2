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
}
