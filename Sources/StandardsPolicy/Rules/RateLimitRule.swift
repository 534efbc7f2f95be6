import Foundation

/// More than `max` comments from the account within `window` (this one included), per article if asked, or, with
/// `per_parent`, replies to the same comment (a reader piling onto one comment; a top-level comment never counts).
public struct RateLimitRule: RuleType {
    public static let kind = "rate_limit"
    public static var readsText: Bool { false }
    public static let parameterNames: Set<String> = ["window", "max", "per_article", "per_parent"]
    public var windowSeconds: Int
    public var max: Int
    public var perArticle: Bool
    public var perParent: Bool

    public init(windowSeconds: Int, max: Int, perArticle: Bool, perParent: Bool = false) {
        self.windowSeconds = windowSeconds
        self.max = max
        self.perArticle = perArticle
        self.perParent = perParent
    }

    public static func read(_ parameters: inout RuleParameters) -> RateLimitRule? {
        let window = parameters.duration("window")
        let max = parameters.int("max", range: 1...100_000)
        if !parameters.has("window") || !parameters.has("max") { parameters.problem("rate_limit needs params.window and params.max") }
        guard let window, let max else { return nil }
        return RateLimitRule(
            windowSeconds: window,
            max: max,
            perArticle: parameters.bool("per_article") ?? false,
            perParent: parameters.bool("per_parent") ?? false
        )
    }

    public var parameters: String {
        "window \(windowSeconds)s, max \(max)\(perArticle ? ", per article" : "")\(perParent ? ", per comment replied to" : "")"
    }

    public var historyNeeds: HistoryNeeds { HistoryNeeds(recentSeconds: windowSeconds) }

    public func evaluate(_ input: inout RuleInput, rule: Int, into hits: inout [Hit]) {
        let context = input.context
        guard !context.recentComments.isEmpty, !perParent || context.parentID != nil else { return }
        let since = context.now.addingTimeInterval(-Double(windowSeconds))
        var count = 1
        for recent in context.recentComments
        where recent.submittedAt > since && recent.submittedAt <= context.now && (!perArticle || recent.article == context.article)
            && (!perParent || recent.parentID == context.parentID)
        {
            count += 1
        }
        if count > max {
            let what = perParent ? "replies to comment \(context.parentID ?? 0)" : "comments"
            hits.append(input.hit(rule, matched: "\(count) \(what) within \(windowSeconds) s, limit \(max)"))
        }
    }
}
