/// At least `maxRatio` of the account's decided comments of the last `window` (30 days unless set) were rejected,
/// once there are `minDecisions`.
public struct RejectionRateRule: RuleType {
    public static let kind = "rejection_rate"
    public static var readsText: Bool { false }
    public static let parameterNames: Set<String> = ["min_decisions", "max_ratio", "window"]
    public static let defaultWindowSeconds = 30 * 86_400
    public var minDecisions: Int
    public var maxRatio: Double
    public var windowSeconds: Int = defaultWindowSeconds

    public static func read(_ parameters: inout RuleParameters) -> RejectionRateRule? {
        RejectionRateRule(
            minDecisions: parameters.int("min_decisions", range: 1...10_000) ?? 5,
            maxRatio: parameters.double("max_ratio", range: 0.01...1.0) ?? 0.5,
            windowSeconds: parameters.duration("window") ?? defaultWindowSeconds
        )
    }

    public var parameters: String {
        "min decisions \(minDecisions), max ratio \(maxRatio)\(windowSeconds == Self.defaultWindowSeconds ? "" : ", window \(windowSeconds)s")"
    }

    public var historyNeeds: HistoryNeeds { HistoryNeeds(standingSeconds: windowSeconds) }

    public func evaluate(_ input: inout RuleInput, rule: Int, into hits: inout [Hit]) {
        let context = input.context
        if context.recentDecisions >= minDecisions, Double(context.recentRejections) / Double(context.recentDecisions) >= maxRatio {
            hits.append(input.hit(rule, matched: "\(context.recentRejections) of \(context.recentDecisions) recent comments rejected"))
        }
    }
}
