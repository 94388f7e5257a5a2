import ArgumentParser
import Foundation
import SubcastCore
import SubcastIO

struct Validate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check a scenario file and print the resolved parameters, defaults marked.",
        discussion: """
        Exit code 0 when the file is valid, 2 with a message naming the file, line and key when it is not. Nothing is simulated.

        Examples:
          subcast validate Scenarios/b2b-saas.yaml
          subcast validate my-scenario.yaml && subcast run my-scenario.yaml
        """
    )

    @Argument(help: "The scenario file (.yaml, .yml or .json).")
    var scenario: String

    func run() throws {
        let loaded: (scenario: Scenario, explicitKeys: Set<String>)
        let variants: [Variant]
        do {
            loaded = try ScenarioLoader.loadResolved(path: scenario)
            // The variants exactly as `compare` reads them, so a file validate accepts is one
            // compare accepts.
            variants = try ScenarioLoader.loadVariants(path: scenario)
        } catch {
            throw fail(error.description, code: ExitStatus.badInput)
        }
        var text = ScenarioListing.render(loaded.scenario, explicitKeys: loaded.explicitKeys, file: scenario)
        if variants.count > 1 {
            text += "\nvariants: \(variants.count - 1), each valid (compare them with `subcast compare \(scenario)`)\n"
            for v in variants.dropFirst() {
                text += "  \(v.name)" + (v.description.map { ": \($0)" } ?? "") + "\n"
                for note in v.notes { text += "    warning: \(note)\n" }
            }
        }
        try writeStandardOutput(text)
    }
}
