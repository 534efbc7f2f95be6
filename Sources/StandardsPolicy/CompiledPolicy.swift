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
    /// One check per rule, in rule order, with plain payloads so the evaluation loop copies nothing that is counted.
    let checks: [Check]
    /// Bank words lowercased (``PersonalInfo/lowered(_:)``).
    let personalInfoParameters: [(kinds: PersonalInfo.Kinds, bankWords: [[UInt32]], proximity: Int)]
    let shortenerLists: [[String]]
    let floodIgnored: [Set<UInt32>]
    /// Whether any rule needs links or email addresses found.
    let needsLinkScan: Bool
    /// Normalized-text buffers reused between evaluations.
    let workspaces = WorkspacePool()

    enum Check: Sendable {
        case terms, loginRequired, providerAllowed, accountBanned, accountSuspended, articleClosed
        case length, empty, controlCharacters, bidiControls, combiningOverload
        case rateLimit(windowSeconds: Int, max: Int, perArticle: Bool)
        case duplicate(windowSeconds: Int, similarity: Double)
        case newCommenter(first: Int)
        case rejectionRate(minDecisions: Int, maxRatio: Double)
        /// Index into `personalInfoParameters`.
        case personalInfo(Int)
        /// Index into `shortenerLists`.
        case links(Int)
        /// `ignored` indexes `floodIgnored`.
        case flood(maxRun: Int, ignored: Int, maxRepeatedWord: Int, maxLines: Int)

        /// Whether the check reads the text (as opposed to the context).
        var readsText: Bool {
            switch self {
            case .terms, .length, .empty, .controlCharacters, .bidiControls, .combiningOverload, .personalInfo, .links, .flood: true
            default: false
            }
        }
    }

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
        var latinSymbols: [(symbols: [UInt32], payload: Int32)] = []
        var jamoSymbols: [(symbols: [UInt32], payload: Int32)] = []

        func add(_ term: Term, rule: Int, isAllow: Bool) {
            let normalized = TextNormalizer.normalize(term.text)
            let view: View = term.mode == .korean ? .jamo : .latin
            let units = view == .jamo ? normalized.jamo : normalized.latin
            if units.count == 0 || units.units.contains(where: \.qwerty) {
                issues.append(.init(file: term.location.file, line: term.location.line, message: "'\(term.text)' normalizes to nothing it can match"))
                return
            }
            let isASCII = { (symbol: UInt32) in symbol < 0x80 && symbol != TextView.boundary }
            patterns.append(
                CompiledTerm(
                    rule: rule, isAllow: isAllow, mode: term.mode, view: view, runs: units.units.map(\.run),
                    roles: view == .jamo ? units.units.map(\.role) : [],
                    asciiEdges: (isASCII(units.symbols[0]), isASCII(units.symbols[units.count - 1])), term: term))
            if view == .jamo {
                jamoSymbols.append((units.symbols, Int32(patterns.count - 1)))
            } else {
                latinSymbols.append((units.symbols, Int32(patterns.count - 1)))
            }
        }

        for term in document.allow { add(term, rule: -1, isAllow: true) }
        for (index, rule) in document.rules.enumerated() {
            guard case .terms(let terms, let allow) = rule.kind else { continue }
            for term in terms { add(term, rule: index, isAllow: false) }
            for term in allow { add(term, rule: index, isAllow: true) }
        }
        if !issues.isEmpty { throw PolicyError(issues) }
        var checks: [Check] = []
        var personalInfoParameters: [(kinds: PersonalInfo.Kinds, bankWords: [[UInt32]], proximity: Int)] = []
        var shortenerLists: [[String]] = []
        var floodIgnored: [Set<UInt32>] = []
        for rule in document.rules {
            switch rule.kind {
            case .terms: checks.append(.terms)
            case .loginRequired: checks.append(.loginRequired)
            case .providerAllowed: checks.append(.providerAllowed)
            case .accountBanned: checks.append(.accountBanned)
            case .accountSuspended: checks.append(.accountSuspended)
            case .articleClosed: checks.append(.articleClosed)
            case .length: checks.append(.length)
            case .empty: checks.append(.empty)
            case .controlCharacters: checks.append(.controlCharacters)
            case .bidiControls: checks.append(.bidiControls)
            case .combiningOverload: checks.append(.combiningOverload)
            case .rateLimit(let window, let max, let perArticle): checks.append(.rateLimit(windowSeconds: window, max: max, perArticle: perArticle))
            case .duplicate(let window, let similarity): checks.append(.duplicate(windowSeconds: window, similarity: similarity))
            case .newCommenter(let first): checks.append(.newCommenter(first: first))
            case .rejectionRate(let minDecisions, let maxRatio): checks.append(.rejectionRate(minDecisions: minDecisions, maxRatio: maxRatio))
            case .personalInfo(let kinds, let bankWords, let proximity):
                personalInfoParameters.append((PersonalInfo.Kinds(kinds), bankWords.map(PersonalInfo.lowered), proximity))
                checks.append(.personalInfo(personalInfoParameters.count - 1))
            case .links(let shorteners):
                shortenerLists.append(shorteners)
                checks.append(.links(shortenerLists.count - 1))
            case .flood(let maxRun, let ignored, let maxRepeatedWord, let maxLines):
                floodIgnored.append(ignored)
                checks.append(.flood(maxRun: maxRun, ignored: floodIgnored.count - 1, maxRepeatedWord: maxRepeatedWord, maxLines: maxLines))
            }
        }
        self.checks = checks
        self.personalInfoParameters = personalInfoParameters
        self.shortenerLists = shortenerLists
        self.floodIgnored = floodIgnored
        needsLinkScan =
            !shortenerLists.isEmpty || personalInfoParameters.contains { $0.kinds.contains(.email) }
        self.document = document
        self.bundle = bundle
        self.patterns = patterns
        var patternInfo: [PatternInfo] = []
        var patternRuns: [UInt16] = []
        var patternRoles: [UInt8] = []
        for pattern in patterns {
            patternInfo.append(
                PatternInfo(
                    rule: Int32(pattern.rule), isAllow: pattern.isAllow, mode: pattern.mode, view: pattern.view,
                    leadingASCII: pattern.asciiEdges.leading, trailingASCII: pattern.asciiEdges.trailing,
                    needsRunCheck: pattern.runs.contains { $0 > 1 }, detail: Int32(patternRuns.count), length: Int32(pattern.runs.count)))
            patternRuns += pattern.runs
            patternRoles += pattern.roles.isEmpty ? [UInt8](repeating: 0, count: pattern.runs.count) : pattern.roles
        }
        self.patternInfo = patternInfo
        self.patternRuns = patternRuns
        self.patternRoles = patternRoles
        latinMatcher = MultiPatternMatcher(patterns: latinSymbols)
        jamoMatcher = MultiPatternMatcher(patterns: jamoSymbols)
    }

    /// Reads, validates and compiles the policy file at `path` and the term files beside it.
    public convenience init(contentsOf path: String) throws {
        try self.init(bundle: PolicyBundle.read(contentsOf: path))
    }

    public var version: String { document.version }

    /// Number of compiled terms (allow entries included), and the automaton's size, for diagnostics.
    public var termCount: Int { patterns.count }
    public var automatonStates: Int { latinMatcher.stateCount + jamoMatcher.stateCount }
    public var automatonBytes: Int { latinMatcher.memoryBytes + jamoMatcher.memoryBytes }
}
