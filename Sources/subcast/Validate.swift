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
        do {
            loaded = try ScenarioLoader.loadResolved(path: scenario)
        } catch {
            throw fail(error.description, code: ExitStatus.badInput)
        }
        let text = ScenarioListing.render(loaded.scenario, explicitKeys: loaded.explicitKeys, file: scenario)
        try writeStandardOutput(text)
    }
}
