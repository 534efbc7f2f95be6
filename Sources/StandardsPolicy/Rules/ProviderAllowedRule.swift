/// A login provider the policy does not list.
public struct ProviderAllowedRule: ParameterlessRule {
    public static let kind = "provider_allowed"
    public static var readsText: Bool { false }
    public init() {}
    public func evaluate(_ input: inout RuleInput, rule: Int, into hits: inout [Hit]) {
        let context = input.context
        if context.authenticated, !input.policy.allowsProvider(context.provider) {
            hits.append(input.hit(rule, matched: "provider \(context.provider ?? "none") is not allowed"))
        }
    }
}
