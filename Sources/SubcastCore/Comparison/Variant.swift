/// One strategy of a comparison: a name, an optional description and the scenario it runs.
///
/// The first variant of a comparison is the base the others are measured against. Scenario
/// files list variants as overrides of their base (`variants:` in a scenario file, read by
/// `ScenarioLoader.loadVariants(path:)` in SubcastIO); `subcast compare A.yaml B.yaml` makes one
/// variant of each file.
///
/// ```swift
/// var faster = base
/// faster.levers.support?.agents = 5
/// let variants = [Variant(name: "base", scenario: base),
///                 Variant(name: "two-more-agents", description: "hire two support agents", scenario: faster)]
/// ```
public struct Variant: Sendable, Hashable {
    /// A short name used in reports and in the comparison's series names (`<name>/mrr`): non-empty,
    /// no `/`, unique within a comparison.
    public var name: String
    /// What the strategy does, in words (optional).
    public var description: String?
    /// The scenario the strategy simulates.
    public var scenario: Scenario

    public init(name: String, description: String? = nil, scenario: Scenario) {
        precondition(!name.isEmpty && !name.contains("/"), "variant names are non-empty and contain no '/'")
        self.name = name
        self.description = description
        self.scenario = scenario
    }
}
