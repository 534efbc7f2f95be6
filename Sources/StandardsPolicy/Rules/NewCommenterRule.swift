/// Holds a reader's comments until `first` of them have been approved (0 turns it off).
public struct NewCommenterRule: RuleType {
    public static let kind = "new_commenter"
    public static var readsText: Bool { false }
    public static let parameterNames: Set<String> = ["first"]
    public var first: Int

    public static func read(_ parameters: inout RuleParameters) -> NewCommenterRule? {
        NewCommenterRule(first: parameters.int("first", range: 0...1000) ?? 0)
    }

    public var parameters: String { "first \(first)" }

    /// Whether `first` have been approved: counting further would tell it nothing.
    public var historyNeeds: HistoryNeeds { HistoryNeeds(approvedCount: first) }

    public func evaluate(_ input: inout RuleInput, rule: Int, into hits: inout [Hit]) {
        let context = input.context
        if first > 0, context.authenticated, context.approvedCount < first {
            hits.append(input.hit(rule, matched: "\(context.approvedCount) approved comments so far, pre-moderated until \(first)"))
        }
    }
}
