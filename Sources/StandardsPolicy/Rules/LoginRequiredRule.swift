/// No verified login came with the comment (context: `authenticated`).
public struct LoginRequiredRule: ParameterlessRule {
    public static let kind = "login_required"
    public static var readsText: Bool { false }
    public init() {}
    public func evaluate(_ input: inout RuleInput, rule: Int, into hits: inout [Hit]) {
        if !input.context.authenticated { hits.append(input.hit(rule, matched: "no verified login")) }
    }
}
