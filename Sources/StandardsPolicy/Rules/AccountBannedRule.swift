/// The account is banned (context: `accountStatus`).
public struct AccountBannedRule: ParameterlessRule {
    public static let kind = "account_banned"
    public static var readsText: Bool { false }
    public init() {}
    public func evaluate(_ input: inout RuleInput, rule: Int, into hits: inout [Hit]) {
        if input.context.accountStatus == .banned { hits.append(input.hit(rule, matched: "account banned")) }
    }
}
