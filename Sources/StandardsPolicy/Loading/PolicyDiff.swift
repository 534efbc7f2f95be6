/// Rule-level differences between two policies: what the Standards Board reads before activating a candidate.
public struct PolicyDiff: Sendable, Codable, Equatable {
    public struct RuleChange: Sendable, Codable, Equatable {
        public var rule: String
        public var changes: [String]

        public init(rule: String, changes: [String]) {
            self.rule = rule
            self.changes = changes
        }
    }

    public var fromVersion: String
    public var toVersion: String
    /// Limits, providers, site domains and time zone, reason codes and the policy-wide allow list.
    public var settings: [String]
    /// Added and removed rules, each as "id: kind action reason".
    public var added: [String]
    public var removed: [String]
    public var changed: [RuleChange]
    /// Whether the rules that both have are in a different order (it changes which hit is listed first, not outcomes).
    public var reordered: Bool

    public var isEmpty: Bool { settings.isEmpty && added.isEmpty && removed.isEmpty && changed.isEmpty && !reordered }

    public static func between(_ old: PolicyDocument, _ new: PolicyDocument) -> PolicyDiff {
        var settings: [String] = []
        func compare<T: Equatable>(_ name: String, _ a: T, _ b: T) { if a != b { settings.append("\(name): \(a) → \(b)") } }
        compare("max_characters", old.limits.maxCharacters, new.limits.maxCharacters)
        compare("max_bytes", old.limits.maxBytes, new.limits.maxBytes)
        compare("max_scalars_per_character", old.limits.maxScalarsPerCharacter, new.limits.maxScalarsPerCharacter)
        compare("login providers", old.providers, new.providers)
        compare("site domains", old.siteDomains, new.siteDomains)
        compare("site time zone", old.siteTimeZone, new.siteTimeZone)
        let codes = setChange(Set(old.reasonCodes), Set(new.reasonCodes))
        if !codes.isEmpty { settings.append("reason codes \(codes)") }
        let allow = setChange(Set(old.allow.map(termKey)), Set(new.allow.map(termKey)))
        if !allow.isEmpty { settings.append("allow list \(allow)") }

        let oldRules = Dictionary(old.rules.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        let newRules = Dictionary(new.rules.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        let added = new.rules.filter { oldRules[$0.id] == nil }.map(summary)
        let removed = old.rules.filter { newRules[$0.id] == nil }.map(summary)
        var changed: [RuleChange] = []
        for rule in new.rules {
            guard let before = oldRules[rule.id] else { continue }
            var changes: [String] = []
            if before.kindName != rule.kindName { changes.append("kind \(before.kindName) → \(rule.kindName)") }
            if before.action != rule.action { changes.append("action \(before.action.rawValue) → \(rule.action.rawValue)") }
            if before.reason != rule.reason { changes.append("reason \(before.reason) → \(rule.reason)") }
            if before.category != rule.category { changes.append("category \(before.category) → \(rule.category)") }
            if let a = before.kind as? any TermListRule, let b = rule.kind as? any TermListRule {
                let terms = setChange(Set(a.terms.map(termKey)), Set(b.terms.map(termKey)))
                if !terms.isEmpty { changes.append("terms \(terms)") }
                let allows = setChange(Set(a.allow.map(termKey)), Set(b.allow.map(termKey)))
                if !allows.isEmpty { changes.append("allow \(allows)") }
            }
            if before.kindName == rule.kindName, before.kind.parameters != rule.kind.parameters {
                changes.append("parameters \(before.kind.parameters) → \(rule.kind.parameters)")
            }
            if !changes.isEmpty { changed.append(RuleChange(rule: rule.id, changes: changes)) }
        }
        let common = Set(oldRules.keys).intersection(newRules.keys)
        let reordered = old.rules.map(\.id).filter(common.contains) != new.rules.map(\.id).filter(common.contains)
        return PolicyDiff(
            fromVersion: old.version,
            toVersion: new.version,
            settings: settings,
            added: added,
            removed: removed,
            changed: changed,
            reordered: reordered
        )
    }

    public static func summary(_ rule: Rule) -> String { "\(rule.id): \(rule.kindName) \(rule.action.rawValue) \(rule.reason)" }

    static func termKey(_ term: Term) -> String {
        switch term.mode {
        case .word, .korean: term.text
        case .prefix, .koreanWordStart: term.text + "*"
        case .embedded: "*" + term.text + "*"
        case .suffix: "*" + term.text
        }
    }

    /// "+3 −1 (+a, +b, +c, −d)", listing at most ten.
    static func setChange(_ old: Set<String>, _ new: Set<String>) -> String {
        let plus = new.subtracting(old).sorted()
        let minus = old.subtracting(new).sorted()
        guard !plus.isEmpty || !minus.isEmpty else { return "" }
        let listed = (plus.map { "+" + $0 } + minus.map { "−" + $0 })
        return "+\(plus.count) −\(minus.count) (" + listed.prefix(10).joined(separator: ", ") + (listed.count > 10 ? ", …" : "") + ")"
    }

}
