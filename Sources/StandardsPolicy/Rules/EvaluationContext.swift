public import Foundation

/// What the caller knows about a submission beyond its text, as plain values: the engine does no I/O.
///
/// The worker fetches these for a whole batch in a few set-based queries.
public struct EvaluationContext: Sendable {
    public enum AccountStatus: String, Sendable, Codable {
        case active, suspended, banned
    }

    /// One of the account's earlier comments (not the one being judged).
    ///
    /// Its duplicate fingerprint is computed once, when it is made, so a batch that holds many comments of one
    /// account compares against the same earlier comments without normalizing them again.
    public struct RecentComment: Sendable {
        public var submittedAt: Date
        public var article: String?
        /// The comment it replied to, if it was a reply.
        public var parentID: Int64?
        public let fingerprint: Duplicates.Fingerprint

        public init(submittedAt: Date, article: String?, body: String, parentID: Int64? = nil) {
            self.submittedAt = submittedAt
            self.article = article
            self.parentID = parentID
            fingerprint = Duplicates.Fingerprint(TextNormalizer.normalize(body))
        }
    }

    /// Whether the submission carries a verified login.
    public var authenticated: Bool
    /// The login provider (`twitter`, `facebook`), if any.
    public var provider: String?
    public var accountStatus: AccountStatus
    public var articleClosed: Bool
    /// The article the comment is for (for per-article rate limits).
    public var article: String?
    /// The comment this one replies to (for per-parent rate limits); nil for a top-level comment.
    public var parentID: Int64?
    /// When the comment was submitted: windows are measured back from here.
    public var now: Date
    /// The account's earlier comments, newest first is not required.
    public var recentComments: [RecentComment]
    /// How many of the account's comments have been approved before.
    public var approvedCount: Int
    /// The account's recent decided comments, and how many of those were rejected.
    public var recentDecisions: Int
    public var recentRejections: Int

    public init(
        authenticated: Bool,
        provider: String?,
        accountStatus: AccountStatus = .active,
        articleClosed: Bool = false,
        article: String? = nil,
        parentID: Int64? = nil,
        now: Date = Date(),
        recentComments: [RecentComment] = [],
        approvedCount: Int = 0,
        recentDecisions: Int = 0,
        recentRejections: Int = 0
    ) {
        self.parentID = parentID
        self.authenticated = authenticated
        self.provider = provider
        self.accountStatus = accountStatus
        self.articleClosed = articleClosed
        self.article = article
        self.now = now
        self.recentComments = recentComments
        self.approvedCount = approvedCount
        self.recentDecisions = recentDecisions
        self.recentRejections = recentRejections
    }

    /// A logged-in twitter reader in good standing, with prior approved comments and no recent activity, on an open
    /// article: only the text decides.
    public static func textOnly(now: Date = Date()) -> EvaluationContext {
        EvaluationContext(authenticated: true, provider: "twitter", now: now, approvedCount: 100)
    }
}
