/// Words and phrases from term lists, with the allow-list entries that veto hits they cover. Every term rule's terms
/// are compiled into the policy's automata together and matched once per comment; this rule reports its own.
public struct TermsRule: TermListRule {
    public static let kind = "terms"
    public static var readsText: Bool { true }
    public static var matchesSpellingVariants: Bool { true }
    public var terms: [Term]
    public var allow: [Term]

    public static func read(_ parameters: inout RuleParameters) -> TermsRule? {
        let terms = parameters.terms(inline: "terms", file: "terms_file")
        let allow = parameters.terms(inline: "allow", file: "allow_file")
        if terms.isEmpty { parameters.problem("a terms rule needs terms or terms_file") }
        return TermsRule(terms: terms, allow: allow)
    }

    public func evaluate(_ input: inout RuleInput, rule: Int, into hits: inout [Hit]) {
        for found in input.termHits where found.rule == rule { hits.append(input.hit(rule, range: found.range)) }
    }
}
