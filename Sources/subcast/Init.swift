import ArgumentParser
import Foundation
import SubcastIO

struct Init: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write a commented starter scenario.",
        discussion: """
        Writes NAME.yaml (NAME defaults to my-scenario) in the current directory, or the path given with --output. An existing file is never overwritten unless --force is given.

        Examples:
          subcast init
          subcast init acme-saas
          subcast init acme-saas --output scenarios/acme.yaml
        """
    )

    @Argument(help: "The scenario's name; also the file name unless --output is given.")
    var name: String = "my-scenario"

    @Option(help: "Where to write the file.")
    var output: String?

    @Flag(help: "Overwrite an existing file.")
    var force = false

    func run() throws {
        let trimmed = name.trimmingCharacters(in: .whitespaces)
        guard !trimmed.isEmpty, !trimmed.contains("/") || output != nil else {
            throw fail(ScenarioError(file: "<command line>", keyPath: "NAME",
                                     message: "expected a scenario name without '/', got '\(name)' (use --output for a path)").description,
                       code: ExitStatus.badInput)
        }
        let path = output ?? (trimmed.hasSuffix(".yaml") || trimmed.hasSuffix(".yml") ? trimmed : trimmed + ".yaml")
        if FileManager.default.fileExists(atPath: path) && !force {
            throw fail("\(path) already exists; pass --force to overwrite it", code: ExitStatus.runtimeFailure)
        }
        let scenarioName = trimmed.hasSuffix(".yaml") ? String(trimmed.dropLast(5)) : trimmed
        do {
            var plan = OutputPlan(inputs: [])
            try plan.add(file: path, role: "--output")
            try plan.commit([path: StarterScenario.text(name: scenarioName)])
        } catch {
            throw fail(error.description, code: ExitStatus.runtimeFailure)
        }
        try writeStandardOutput("""
        wrote \(path)
        next: subcast validate \(path)
              subcast run \(path)

        """)
    }
}
