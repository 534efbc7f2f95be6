/// At least `maxRatio` of the account's recent decided comments were rejected, once there are `minDecisions`.
public struct RejectionRateRule: RuleType {
    public static let kind = "rejection_rate"
    public static var readsText: Bool { false }
    public static let parameterNames: Set<String> = ["min_decisions", "max_ratio"]
    public var minDecisions: Int
    public var maxRatio: Double

    public static func read(_ parameters: inout RuleParameters) -> RejectionRateRule? {
        RejectionRateRule(
            minDecisions: parameters.int("min_decisions", range: 1...10_000) ?? 5,
            maxRatio: parameters.double("max_ratio", range: 0.01...1.0) ?? 0.5
        )
    }

    public var parameters: String { "min decisions \(minDecisions), max ratio \(maxRatio)" }

    public func evaluate(_ input: inout RuleInput, rule: Int, into hits: inout [Hit]) {
        let context = input.context
        if context.recentDecisions >= minDecisions, Double(context.recentRejections) / Double(context.recentDecisions) >= maxRatio {
            hits.append(input.hit(rule, matched: "\(context.recentRejections) of \(context.recentDecisions) recent comments rejected"))
        }
    }
}
