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
    /// The scenario the strategy simulates (at the medians of its uncertain inputs, if any).
    public var scenario: Scenario
    /// The strategy with its uncertain inputs, when it has some: each trial then draws them, from
    /// the streams `input:<name>`, which variants sharing an input share (common random numbers
    /// for the inputs too). Nil = the scenario is fixed.
    public var family: ScenarioFamily?
    /// Warnings about the strategy for its reader (e.g. a price change no price response sees).
    public var notes: [String] = []

    public init(name: String, description: String? = nil, scenario: Scenario) {
        precondition(!name.isEmpty && !name.contains("/"), "variant names are non-empty and contain no '/'")
        self.name = name
        self.description = description
        self.scenario = scenario
        self.family = nil
    }

    /// A strategy whose inputs may be uncertain.
    public init(name: String, description: String? = nil, family: ScenarioFamily) {
        self.init(name: name, description: description, scenario: family.base)
        self.family = family.isFixed ? nil : family
    }

    /// The model the strategy runs on.
    public var model: ForecastModel { family.map { ForecastModel($0) } ?? ForecastModel(scenario) }

    public static func == (a: Variant, b: Variant) -> Bool {
        a.name == b.name && a.description == b.description && a.scenario == b.scenario
            && (a.family?.inputs.inputs.map(\.name) ?? []) == (b.family?.inputs.inputs.map(\.name) ?? [])
    }

    public func hash(into h: inout Hasher) {
        h.combine(name); h.combine(description); h.combine(scenario)
    }
}
