/// A policy ready to evaluate comments: validated, with every term of every rule compiled into one automaton.
///
/// Immutable and `Sendable`: build it once per policy version and share it between tasks.
public final class CompiledPolicy: Sendable {
    public let document: PolicyDocument
    public let bundle: PolicyBundle
    let matcher: MultiPatternMatcher
    let patterns: [CompiledTerm]

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

    /// Validates and compiles `bundle`. Throws ``PolicyError`` listing every problem, with file and line.
    public init(bundle: PolicyBundle) throws {
        let document = try PolicyLoader.document(from: bundle)
        var issues: [PolicyError.Issue] = []
        var patterns: [CompiledTerm] = []
        var symbols: [(symbols: [UInt32], payload: Int32)] = []

        func add(_ term: Term, rule: Int, isAllow: Bool) {
            let normalized = TextNormalizer.normalize(term.text)
            let view: View = term.mode == .korean ? .jamo : .latin
            let units = view == .jamo ? normalized.jamo : normalized.latin
            if units.count == 0 || units.qwerty.contains(true) {
                issues.append(.init(file: term.location.file, line: term.location.line, message: "'\(term.text)' normalizes to nothing it can match"))
                return
            }
            let isASCII = { (symbol: UInt32) in symbol < 0x80 && symbol != TextView.boundary }
            patterns.append(
                CompiledTerm(
                    rule: rule, isAllow: isAllow, mode: term.mode, view: view, runs: units.runs, roles: view == .jamo ? units.roles : [],
                    asciiEdges: (isASCII(units.symbols[0]), isASCII(units.symbols[units.count - 1])), term: term))
            symbols.append((units.symbols, Int32(patterns.count - 1)))
        }

        for term in document.allow { add(term, rule: -1, isAllow: true) }
        for (index, rule) in document.rules.enumerated() {
            guard case .terms(let terms, let allow) = rule.kind else { continue }
            for term in terms { add(term, rule: index, isAllow: false) }
            for term in allow { add(term, rule: index, isAllow: true) }
        }
        if !issues.isEmpty { throw PolicyError(issues) }
        self.document = document
        self.bundle = bundle
        self.patterns = patterns
        matcher = MultiPatternMatcher(patterns: symbols)
    }

    /// Reads, validates and compiles the policy file at `path` and the term files beside it.
    public convenience init(contentsOf path: String) throws {
        try self.init(bundle: PolicyBundle.read(contentsOf: path))
    }

    public var version: String { document.version }

    /// Number of compiled terms (allow entries included), and the automaton's size, for diagnostics.
    public var termCount: Int { patterns.count }
    public var automatonStates: Int { matcher.stateCount }
    public var automatonBytes: Int { matcher.memoryBytes }
}
