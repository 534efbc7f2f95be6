public import PostgresLibPQ

/// The SQLSTATEs CommentDesk's own SQL raises (`ERRCODE = 'CDnnn'` in `sql/`); a test holds this list and the
/// migrations to each other.
extension SQLState {
    /// `submit_comment`/`post_comment`: no article with that ref is registered.
    public static let unknownArticle = SQLState("CD001")
    /// `submit_comment`: a comment without a body.
    public static let missingBody = SQLState("CD002")
    /// The article is closed for comments.
    public static let commentsClosed = SQLState("CD003")
    public static let accountBanned = SQLState("CD004")
    /// The detail is the end of the suspension.
    public static let accountSuspended = SQLState("CD005")
    /// The reader's burst limit; the detail is the seconds to wait.
    public static let tooManyPosts = SQLState("CD006")
    /// An Idempotency-Key used again for another text.
    public static let idempotencyKeyReused = SQLState("CD007")
    /// Only a published comment can be flagged.
    public static let notFlaggable = SQLState("CD008")
    /// A reader cannot flag their own comment.
    public static let ownComment = SQLState("CD009")
    /// UPDATE, DELETE or TRUNCATE on an append-only table.
    public static let appendOnly = SQLState("CD010")
    /// The reader's flag limit; the detail is the seconds to wait.
    public static let tooManyFlags = SQLState("CD011")
    /// A reply to a comment that is not published.
    public static let parentUnavailable = SQLState("CD012")
    /// Editing or deleting someone else's comment.
    public static let notYours = SQLState("CD013")
    /// The comment was replaced by an edit; the detail is the new comment's id.
    public static let replaced = SQLState("CD014")
    public static let editWindowPassed = SQLState("CD015")

    /// Every code above, in order.
    public static let commentDesk: [SQLState] = [
        unknownArticle, missingBody, commentsClosed, accountBanned, accountSuspended, tooManyPosts, idempotencyKeyReused, notFlaggable,
        ownComment, appendOnly, tooManyFlags, parentUnavailable, notYours, replaced, editWindowPassed,
    ]
}
