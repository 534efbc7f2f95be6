/// One kind of Standards Board rule: its name in the policy file, the parameters it reads, and how it judges a comment.
///
/// Adding a kind is one file with a type conforming to this protocol, plus its line in ``RuleTypes/standard``: the
/// loader finds it by ``kind``, the policy diff shows its ``parameters``, and the engine calls ``evaluate(_:rule:into:)``
/// for every comment, whatever the context. Nothing else lists the kinds.
public protocol RuleType: Sendable {
    /// The `kind` that names it in the policy file (`rate_limit`).
    static var kind: String { get }
    /// The keys its `params` may hold; empty when it takes none (then any `params` is an error).
    static var parameterNames: Set<String> { get }
    /// Whether it takes term lists (`terms`, `terms_file`, `allow`, `allow_file`).
    static var takesTermLists: Bool { get }
    /// Whether it reads the comment's text (false: the context alone). A text far over the byte limit is judged by
    /// the rules that do not, and by its length.
    static var readsText: Bool { get }

    /// Reads its parameters; problems are reported on `parameters` (with file and line), and nil means none was made.
    static func read(_ parameters: inout RuleParameters) -> Self?

    /// Its parameters as the policy diff shows them ("" when it has none).
    var parameters: String { get }

    /// The account history it reads from ``EvaluationContext`` (``HistoryNeeds/none`` when it reads none): the worker
    /// loads what the policy's rules together need, and no more.
    var historyNeeds: HistoryNeeds { get }

    /// Judges one comment: appends a hit (``RuleInput/hit(_:matched:)`` or ``RuleInput/hit(_:range:)``) for every
    /// place it finds, or for the comment when it is about the context. `rule` is its index in the policy's rules.
    func evaluate(_ input: inout RuleInput, rule: Int, into hits: inout [Hit])

    /// For rules about the comment's form: what is wrong with `text` under `limits`, or nil. The reader API answers
    /// a rejecting rule's problem at once (``CompiledPolicy/checkFormat(_:)``); other rules answer nil.
    func formatProblem(_ text: NormalizedText, limits: Limits) -> FormatRefusal.Problem?
}

extension RuleType {
    public static var parameterNames: Set<String> { [] }
    public static var takesTermLists: Bool { false }
    public var parameters: String { "" }
    public var historyNeeds: HistoryNeeds { .none }
    public func formatProblem(_ text: NormalizedText, limits: Limits) -> FormatRefusal.Problem? { nil }
}

/// A rule kind with no parameters: made with `init()`.
public protocol ParameterlessRule: RuleType {
    init()
}

extension ParameterlessRule {
    public static func read(_ parameters: inout RuleParameters) -> Self? { Self() }
}

/// A rule about the comment's form alone: it hits when ``formatProblem(_:limits:)`` finds something.
public protocol FormatRule: ParameterlessRule {}

extension FormatRule {
    public static var readsText: Bool { true }

    public func evaluate(_ input: inout RuleInput, rule: Int, into hits: inout [Hit]) {
        let limits = input.policy.document.limits
        if let problem = formatProblem(input.text, limits: limits) { hits.append(input.hit(rule, matched: problem.describe(input.text, limits))) }
    }
}

/// The rule kinds a policy may use.
public enum RuleTypes {
    /// Every kind CommentDesk ships, in the order the documentation lists them.
    public static let standard: [any RuleType.Type] = [
        TermsRule.self, LoginRequiredRule.self, ProviderAllowedRule.self, AccountBannedRule.self, AccountSuspendedRule.self,
        ArticleClosedRule.self, LengthRule.self, EmptyRule.self, ControlCharactersRule.self, BidiControlsRule.self,
        CombiningOverloadRule.self, RateLimitRule.self, DuplicateRule.self, NewCommenterRule.self, RejectionRateRule.self,
        PersonalInfoRule.self, LinksRule.self, FloodRule.self, ContactHandleRule.self, ModelRule.self,
    ]
}

/// A rule whose terms the policy compiles into its automata with every other rule's (``RuleType/takesTermLists``):
/// its hits arrive in ``RuleInput``'s term hits, with the rule's allow entries already applied.
public protocol TermListRule: RuleType {
    var terms: [Term] { get }
    var allow: [Term] { get }
    /// Whether the terms are also matched in the spellings ``TermVariants`` generates (words readers disguise).
    static var matchesSpellingVariants: Bool { get }
}

extension TermListRule {
    public static var takesTermLists: Bool { true }
    public static var matchesSpellingVariants: Bool { false }
}

/// What a rule sees of one comment: the normalized text, the context, the policy, and the scans rules share (term
/// hits, found once for all term rules; links, scanned on first use; the duplicate fingerprint, made on first use).
public struct RuleInput {
    public let text: NormalizedText
    public let context: EvaluationContext
    public let policy: CompiledPolicy
    /// Term hits kept after the allow lists, for every term rule at once.
    let termHits: [CompiledPolicy.TermHit]
    private var scannedLinks: Links.Found?
    private var fingerprint: Duplicates.Fingerprint?

    init(text: NormalizedText, context: EvaluationContext, policy: CompiledPolicy, termHits: [CompiledPolicy.TermHit]) {
        self.text = text
        self.context = context
        self.policy = policy
        self.termHits = termHits
    }

    /// Links and addresses in the text (one scan, shared by the rules that need it).
    mutating func links() -> Links.Found {
        if let scannedLinks { return scannedLinks }
        let found = Links.scan(text)
        scannedLinks = found
        return found
    }

    /// The text's duplicate fingerprint (made once, shared by the duplicate rules).
    mutating func duplicateFingerprint() -> Duplicates.Fingerprint {
        if let fingerprint { return fingerprint }
        let made = Duplicates.Fingerprint(text)
        fingerprint = made
        return made
    }

    /// A hit of rule `rule` about the whole comment (no span), with a short description.
    public func hit(_ rule: Int, matched: String? = nil) -> Hit { policy.hit(rule, matched: matched) }

    /// A hit of rule `rule` on the original text's scalars `range`.
    public func hit(_ rule: Int, range: Range<Int>) -> Hit { policy.hit(rule, text: text, range: range) }
}
