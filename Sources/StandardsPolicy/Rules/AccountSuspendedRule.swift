/// The account is suspended (context: `accountStatus`).
public struct AccountSuspendedRule: ParameterlessRule {
    public static let kind = "account_suspended"
    public static var readsText: Bool { false }
    public init() {}
    public func evaluate(_ input: inout RuleInput, rule: Int, into hits: inout [Hit]) {
        if input.context.accountStatus == .suspended { hits.append(input.hit(rule, matched: "account suspended")) }
    }
}
