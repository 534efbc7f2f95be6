/// What a rule does when it fires. The strongest action among a verdict's hits decides (reject > hold > approve).
public enum Action: String, Sendable, Codable, Comparable, CaseIterable {
    case approve, hold, reject

    var strength: Int {
        switch self {
        case .approve: 0
        case .hold: 1
        case .reject: 2
        }
    }

    public static func < (lhs: Action, rhs: Action) -> Bool { lhs.strength < rhs.strength }
}

/// Where something in a policy came from, for error messages and for explaining hits.
public struct PolicyLocation: Sendable, Hashable, CustomStringConvertible {
    public var file: String
    public var line: Int

    public var description: String { "\(file):\(line)" }
}

/// How an English term must sit in the text. Korean terms always match inside words (in the jamo view).
public enum TermMode: String, Sendable, Codable {
    /// The term is a whole word: `ass` matches "ass" but not "class" or "assassin".
    case word
    /// The term starts a word: `fuck*` matches "fucking".
    case prefix
    /// Anywhere, even inside a word: `*fuck*` matches "motherfucker".
    case embedded
    /// A Korean term, matched anywhere in the jamo view.
    case korean
}

/// One entry of a term list.
public struct Term: Sendable, Hashable {
    public var text: String
    public var mode: TermMode
    public var location: PolicyLocation
}

/// Kinds of personal information the detector recognizes.
public enum PersonalInfoKind: String, Sendable, CaseIterable {
    case mobile, landline, rrn, frn, email, card, bankAccount = "bank_account"
}

/// What a rule checks.
public enum RuleKind: Sendable {
    /// Words and phrases from term lists, with the allow-list that vetoes hits it covers.
    case terms(terms: [Term], allow: [Term])
    /// No verified login.
    case loginRequired
    /// A login provider the policy does not list.
    case providerAllowed
    case accountBanned
    case accountSuspended
    case articleClosed
    /// More characters than `limits.maxCharacters`, or more bytes than `limits.maxBytes`.
    case length
    /// Nothing left after removing whitespace and invisible characters.
    case empty
    /// NUL or other control characters.
    case controlCharacters
    /// Bidirectional embeddings, overrides and isolates (U+202A–202E, U+2066–2069), which can make published text read
    /// differently from what was judged.
    case bidiControls
    /// A character with more scalars than `limits.maxScalarsPerCharacter` ("Zalgo").
    case combiningOverload
    /// More than `max` comments from the account within `window` seconds (this one included), per article if asked.
    case rateLimit(windowSeconds: Int, max: Int, perArticle: Bool)
    /// The same (or, below 1.0, nearly the same) text as one of the account's comments within `window` seconds.
    case duplicate(windowSeconds: Int, similarity: Double)
    /// Accounts with fewer than `first` approved comments are pre-moderated; 0 disables the rule.
    case newCommenter(first: Int)
    /// Accounts whose recent decisions were mostly rejections.
    case rejectionRate(minDecisions: Int, maxRatio: Double)
    /// Phone numbers, registration numbers, emails, card numbers, bank accounts.
    case personalInfo(kinds: Set<PersonalInfoKind>, bankWords: [String], proximity: Int)
    /// URLs and domains, including obfuscated ones, except the site's own domains.
    case links(shorteners: [String])
    /// One character repeated (laughter excepted), one word repeated, or too many line breaks.
    case flood(maxRun: Int, ignored: Set<UInt32>, maxRepeatedWord: Int, maxLines: Int)

    /// The name used in policy files.
    public var name: String {
        switch self {
        case .terms: "terms"
        case .loginRequired: "login_required"
        case .providerAllowed: "provider_allowed"
        case .accountBanned: "account_banned"
        case .accountSuspended: "account_suspended"
        case .articleClosed: "article_closed"
        case .length: "length"
        case .empty: "empty"
        case .controlCharacters: "control_characters"
        case .bidiControls: "bidi_controls"
        case .combiningOverload: "combining_overload"
        case .rateLimit: "rate_limit"
        case .duplicate: "duplicate"
        case .newCommenter: "new_commenter"
        case .rejectionRate: "rejection_rate"
        case .personalInfo: "personal_info"
        case .links: "links"
        case .flood: "flood"
        }
    }
}

/// One rule of a policy.
public struct Rule: Sendable {
    public var id: String
    public var kind: RuleKind
    public var action: Action
    /// The reason code recorded with a hit (one of the policy's `reason_codes`).
    public var reason: String
    /// A grouping for reports (profanity, hate, personal_info, access, …).
    public var category: String
    public var location: PolicyLocation
}

/// The numbers behind "0/250자".
public struct Limits: Sendable, Equatable {
    /// User-perceived characters (extended grapheme clusters) of the NFC text after CRLF→LF and trimming.
    public var maxCharacters: Int
    /// UTF-8 bytes of the whole text.
    public var maxBytes: Int
    /// Unicode scalars in one character; the longest emoji sequences have 10.
    public var maxScalarsPerCharacter: Int

    public init(maxCharacters: Int, maxBytes: Int, maxScalarsPerCharacter: Int) {
        self.maxCharacters = maxCharacters
        self.maxBytes = maxBytes
        self.maxScalarsPerCharacter = maxScalarsPerCharacter
    }
}

/// A validated Standards Board Policy.
public struct PolicyDocument: Sendable {
    public var version: String
    public var name: String
    public var limits: Limits
    /// Login providers whose readers may comment.
    public var providers: [String]
    /// The site's own domains: links to them (and their subdomains) are fine.
    public var siteDomains: [String]
    /// The reason codes rules and moderators may use.
    public var reasonCodes: [String]
    /// Terms that veto any term hit they cover, for every term rule (Scunthorpe, 시발점, …).
    public var allow: [Term]
    public var rules: [Rule]
}
