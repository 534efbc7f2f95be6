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

/// How a term must sit in the text. Korean terms match inside words in the jamo view (or only at a word start).
public enum TermMode: String, Sendable, Codable {
    /// The term is a whole word: `ass` matches "ass" but not "class" or "assassin".
    case word
    /// The term starts a word: `fuck*` matches "fucking".
    case prefix
    /// Anywhere, even inside a word: `*fuck*` matches "motherfucker".
    case embedded
    /// Ends a word: `*shit` matches "bullshit" and "dipshit", not "Kushite".
    case suffix
    /// A Korean term, matched anywhere in the jamo view, beginning and ending where syllables do.
    case korean
    /// A Korean term that must begin a word (`보지*`): for words that also end other words innocently (해보지, 피해자지).
    case koreanWordStart

    /// Whether the term is matched in the jamo view.
    var isKorean: Bool { self == .korean || self == .koreanWordStart }
}

/// One entry of a term list.
public struct Term: Sendable, Hashable {
    public var text: String
    public var mode: TermMode
    public var location: PolicyLocation
}

/// Kinds of personal information the detector recognizes.
public enum PersonalInfoKind: String, Sendable, CaseIterable {
    case mobile, landline, rrn, frn, email, card
    case bankAccount = "bank_account"
}

/// One rule of a policy.
public struct Rule: Sendable {
    public var id: String
    /// What it checks: a value of one of the ``RuleTypes`` (its parameters included).
    public var kind: any RuleType
    public var action: Action
    /// The reason code recorded with a hit (one of the policy's `reason_codes`).
    public var reason: String
    /// A grouping for reports (profanity, hate, personal_info, access, …).
    public var category: String
    public var location: PolicyLocation

    /// A learned score (`kind: model`): left out where the rules alone are measured, or a model beside them.
    public var isLearnedModel: Bool { kind is ModelRule }

    /// The `kind` that names it in the policy file.
    public var kindName: String { type(of: kind).kind }
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

/// What readers may do besides posting: flag comments, edit their own (issue 20).
public struct Community: Sendable, Equatable {
    /// Unresolved flags from accounts in good standing that hide a published comment until a moderator decides (0: never).
    public var flagsToHide: Int
    /// Flags one reader may send in an hour.
    public var flagsPerHour: Int
    /// How long after posting a reader may edit a comment, in seconds (0: never).
    public var editWindowSeconds: Int

    public init(flagsToHide: Int = 3, flagsPerHour: Int = 20, editWindowSeconds: Int = 300) {
        self.flagsToHide = flagsToHide
        self.flagsPerHour = flagsPerHour
        self.editWindowSeconds = editWindowSeconds
    }
}

/// How long what readers leave behind is kept (issue 20; PRIVACY.md).
public struct Privacy: Sendable, Equatable {
    /// Days between a reader's own erasure request and the erasure (they may cancel in between).
    public var erasureGraceDays: Int
    /// Rejected and removed comments lose their text this many days after the decision; nil: kept.
    public var rejectedTextDays: Int?

    public init(erasureGraceDays: Int = 7, rejectedTextDays: Int? = nil) {
        self.erasureGraceDays = erasureGraceDays
        self.rejectedTextDays = rejectedTextDays
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
    /// Flags and their threshold; the defaults when the policy has no `community` section.
    public var community = Community()
    /// Erasure and retention; the defaults when the policy has no `privacy` section.
    public var privacy = Privacy()
    /// The site's time zone (an IANA name, `site_time_zone`; UTC when left out): the report's day and the times
    /// `modctl` shows.
    public var siteTimeZone = "UTC"

    /// The reason the worker records when a comment could not be judged after its last attempt (no rule produces it).
    public static let processingErrorReason = "processing_error"

    /// Rule categories about a post's circumstances (a login, a length, a rate), not about what it says.
    public static let circumstanceCategories: Set<String> = ["access", "format", "behaviour"]

    /// The reason codes a moderator's rejection names, in the policy's order: those of the rules that judge what a
    /// comment says, and codes no rule produces (`other`). Codes only rules about circumstances produce are the
    /// engine's facts, not a moderator's judgement, and `processing_error` is the worker's.
    public var moderatorReasonCodes: [String] {
        let judged = Set(rules.filter { !Self.circumstanceCategories.contains($0.category) }.map(\.reason))
        let circumstantial = Set(rules.filter { Self.circumstanceCategories.contains($0.category) }.map(\.reason))
        return reasonCodes.filter { code in
            judged.contains(code) || (!circumstantial.contains(code) && code != Self.processingErrorReason)
        }
    }
}
