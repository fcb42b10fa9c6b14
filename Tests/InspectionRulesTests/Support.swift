import InspectionRules
import Testing

/// Decodes and judges one §8 JSON case, failing the test on an input error.
func judge(_ json: String, sourceLocation: SourceLocation = #_sourceLocation) throws -> RuleResult {
    let value = try JSONParser.parse(json)
    let ruleCase = try RuleCase(json: value)
    return try RuleEngine.evaluate(ruleCase)
}

/// The input error a case produces (nil when it is judged).
func inputError(_ json: String) -> RuleInputError? {
    switch RulesInterface.judge((try? JSONParser.parse(json)) ?? .null) {
    case .success: return nil
    case .failure(let error): return error
    }
}

extension RuleResult {
    /// The item with `id`, or a recorded test failure.
    func required(_ id: String, sourceLocation: SourceLocation = #_sourceLocation) throws -> RuleItem {
        try #require(item(id), "no item \(id) in \(items.map(\.id))", sourceLocation: sourceLocation)
    }
}

/// A decimal for JSON text.
func j(_ value: Double) -> String { JSONWriter.format(value) }

/// A CN case with the given vehicle members and a brake section.
func cnBrakeCase(vehicle: String, axles: [String], extra: String = "") -> String {
    """
    {"ruleset": "CN-GB7258-2017", "vehicle": {\(vehicle)},
     "brake": {"axles": [\(axles.joined(separator: ","))]\(extra)}}
    """
}
