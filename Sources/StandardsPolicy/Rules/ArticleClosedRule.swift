/// Comments are closed on the article (context: `articleClosed`).
public struct ArticleClosedRule: ParameterlessRule {
    public static let kind = "article_closed"
    public static var readsText: Bool { false }
    public init() {}
    public func evaluate(_ input: inout RuleInput, rule: Int, into hits: inout [Hit]) {
        if input.context.articleClosed { hits.append(input.hit(rule, matched: "comments are closed on this article")) }
    }
}
