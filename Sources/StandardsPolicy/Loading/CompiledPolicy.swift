/// A policy ready to evaluate comments: validated, with every term of every rule compiled into one automaton.
///
/// Immutable and `Sendable`: build it once per policy version and share it between tasks.
public final class CompiledPolicy: Sendable {
    public let document: PolicyDocument
    public let bundle: PolicyBundle
    /// One automaton per view, each over the terms matched in that view only.
    let latinMatcher: MultiPatternMatcher
    let jamoMatcher: MultiPatternMatcher
    let patterns: [CompiledTerm]
    /// What the matching loop reads per pattern, as plain values (copying them costs no reference counting).
    let patternInfo: [PatternInfo]
    /// Every pattern's required repeat counts and jamo roles, flattened; `PatternInfo.detail` is the offset.
    let patternRuns: [UInt16]
    let patternRoles: [UInt8]

    struct PatternInfo: Sendable {
        var rule: Int32
        var isAllow: Bool
        var mode: TermMode
        var view: View
        var leadingASCII: Bool
        var trailingASCII: Bool
        var needsRunCheck: Bool
        var detail: Int32
        var length: Int32
    }
    /// Each rule's kind, in rule order: what the evaluation loop calls.
    let kinds: [any RuleType]
    /// The account history its rules read: what the worker loads for each comment (``HistoryNeeds``).
    public let historyNeeds: HistoryNeeds
    /// Normalized-text buffers reused between evaluations.
    let workspaces = WorkspacePool()

    /// Which view a compiled term is matched in.
    enum View: UInt8, Sendable {
        case latin, jamo
    }

    /// One term as the automaton sees it.
    struct CompiledTerm: Sendable {
        /// Index of the rule in `document.rules`, or -1 for the policy-wide allow list.
        var rule: Int
        var isAllow: Bool
        var mode: TermMode
        var view: View
        var runs: [UInt16]
        /// Jamo roles (``TextView/Role``) the matched units must have; empty for Latin terms.
        var roles: [UInt8]
        /// Whether the term starts or ends with an ASCII letter or digit (18놈): then it must not continue a number or word.
        var asciiEdges: (leading: Bool, trailing: Bool)
        var term: Term
    }

    /// Validates and compiles `bundle`. Throws ``PolicyError`` listing every problem, with file and line. `ruleTypes`
    /// are the kinds its rules may name. Rules `leavingOut` accepts are validated and then dropped: what measuring a
    /// model beside the rules needs (the rules without the policy's own model), or the rules alone on the data a
    /// model was trained on.
    public init(bundle: PolicyBundle, ruleTypes: [any RuleType.Type] = RuleTypes.standard, leavingOut: (Rule) -> Bool = { _ in false }) throws {
        var document = try PolicyLoader.document(from: bundle, ruleTypes: ruleTypes)
        document.rules.removeAll(where: leavingOut)
        var issues: [PolicyError.Issue] = []
        var patterns: [CompiledTerm] = []
        var latinSymbols: [(symbols: [UInt32], payload: Int32)] = []
        var jamoSymbols: [(symbols: [UInt32], payload: Int32)] = []

        func add(_ term: Term, rule: Int, isAllow: Bool) {
            let normalized = TextNormalizer.normalize(term.text)
            let view: View = term.mode.isKorean ? .jamo : .latin
            let units = view == .jamo ? normalized.jamo : normalized.latin
            if units.count == 0 || units.units.contains(where: \.qwerty) {
                issues.append(.init(file: term.location.file, line: term.location.line, message: "'\(term.text)' normalizes to nothing it can match"))
                return
            }
            let isASCII = { (symbol: UInt32) in symbol < 0x80 && symbol != TextView.boundary }
            patterns.append(
                CompiledTerm(
                    rule: rule,
                    isAllow: isAllow,
                    mode: term.mode,
                    view: view,
                    runs: units.units.map(\.run),
                    roles: view == .jamo ? units.units.map(\.role) : [],
                    asciiEdges: (isASCII(units.symbols[0]), isASCII(units.symbols[units.count - 1])),
                    term: term
                )
            )
            if view == .jamo {
                jamoSymbols.append((units.symbols, Int32(patterns.count - 1)))
            } else {
                latinSymbols.append((units.symbols, Int32(patterns.count - 1)))
            }
        }

        for term in document.allow { add(term, rule: -1, isAllow: true) }
        for (index, rule) in document.rules.enumerated() {
            guard let terms = rule.kind as? any TermListRule else { continue }
            for term in terms.terms {
                add(term, rule: index, isAllow: false)
                guard type(of: terms).matchesSpellingVariants else { continue }
                for variant in TermVariants.variants(of: term) {
                    add(Term(text: variant.text, mode: variant.mode, location: term.location), rule: index, isAllow: false)
                }
            }
            for term in terms.allow { add(term, rule: index, isAllow: true) }
        }
        if !issues.isEmpty { throw PolicyError(issues) }
        kinds = document.rules.map(\.kind)
        historyNeeds = kinds.reduce(.none) { $0.union($1.historyNeeds) }
        self.document = document
        self.bundle = bundle
        self.patterns = patterns
        var patternInfo: [PatternInfo] = []
        var patternRuns: [UInt16] = []
        var patternRoles: [UInt8] = []
        for pattern in patterns {
            patternInfo.append(
                PatternInfo(
                    rule: Int32(pattern.rule),
                    isAllow: pattern.isAllow,
                    mode: pattern.mode,
                    view: pattern.view,
                    leadingASCII: pattern.asciiEdges.leading,
                    trailingASCII: pattern.asciiEdges.trailing,
                    needsRunCheck: pattern.runs.contains { $0 > 1 },
                    detail: Int32(patternRuns.count),
                    length: Int32(pattern.runs.count)
                )
            )
            patternRuns += pattern.runs
            patternRoles += pattern.roles.isEmpty ? [UInt8](repeating: 0, count: pattern.runs.count) : pattern.roles
        }
        self.patternInfo = patternInfo
        self.patternRuns = patternRuns
        self.patternRoles = patternRoles
        latinMatcher = MultiPatternMatcher(patterns: latinSymbols)
        jamoMatcher = MultiPatternMatcher(patterns: jamoSymbols)
    }

    public var version: String { document.version }

    /// Number of compiled terms (allow entries included), and the automaton's size, for diagnostics.
    public var termCount: Int { patterns.count }
    public var automatonStates: Int { latinMatcher.stateCount + jamoMatcher.stateCount }
    public var automatonBytes: Int { latinMatcher.memoryBytes + jamoMatcher.memoryBytes }
}
