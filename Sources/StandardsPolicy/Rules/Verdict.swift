/// Why a rule fired: enough to explain a decision later and to highlight the text.
public struct Hit: Sendable, Codable, Equatable {
    /// The rule's id in the policy.
    public var rule: String
    public var reason: String
    public var category: String
    public var action: Action
    /// Where in the text, in Unicode scalars of the text as given (`start..<end`); nil for rules about the context.
    public var start: Int?
    public var end: Int?
    /// The text that matched (personal information is masked), or a short description for context rules.
    public var matched: String?

    public init(rule: String, reason: String, category: String, action: Action, start: Int? = nil, end: Int? = nil, matched: String? = nil) {
        self.rule = rule
        self.reason = reason
        self.category = category
        self.action = action
        self.start = start
        self.end = end
        self.matched = matched
    }
}

/// The outcome of evaluating one comment under one policy version.
public struct Verdict: Sendable, Codable, Equatable {
    /// The strongest action among the hits; approve when nothing fired.
    public var outcome: Action
    /// Every hit, in rule order and then text order.
    public var hits: [Hit]
    /// The version of the policy that decided.
    public var policyVersion: String

    /// The distinct reason codes, in the order of the hits.
    public var reasons: [String] {
        var seen: Set<String> = []
        return hits.compactMap { seen.insert($0.reason).inserted ? $0.reason : nil }
    }
}
