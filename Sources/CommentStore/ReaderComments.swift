public import Foundation
public import PostgresLibPQ

/// The reader-facing queries: post a comment, list an article's published comments, and an author's own status.
public struct ReaderComments: Sendable {
    /// A verified reader, as the API learned it from the login token.
    public struct Reader: Sendable, Equatable {
        public var provider: String
        public var subject: String
        public var displayName: String
        public var tokenIssuedAt: Date?
        public var tokenExpiresAt: Date?

        public init(provider: String, subject: String, displayName: String, tokenIssuedAt: Date?, tokenExpiresAt: Date?) {
            self.provider = provider
            self.subject = subject
            self.displayName = displayName
            self.tokenIssuedAt = tokenIssuedAt
            self.tokenExpiresAt = tokenExpiresAt
        }
    }

    /// A post that was stored (or found, for a replayed idempotency key).
    public struct Posted: Sendable, Equatable {
        public var commentID: Int64
        public var replayed: Bool
        public var status: CommentStatus
    }

    /// Why a post was refused before anything was written.
    public enum Refusal: Error, Sendable, Equatable {
        case unknownArticle
        case commentsClosed
        case accountBanned
        case accountSuspended(until: String?)
        case tooManyPosts(retryAfterSeconds: Int)
        /// The idempotency key was used before for another article or another text.
        case idempotencyKeyReused
        /// There is no published comment with that id (it may be held, rejected or removed: to a reader, absent).
        case notFlaggable
        /// Readers cannot flag their own comments.
        case ownComment
        case tooManyFlags(retryAfterSeconds: Int)
        /// The comment replied to is not published on this article.
        case parentUnavailable
        /// No comment of this reader has that id.
        case notYours
        /// The comment was replaced by an edit (its replacement's id) or removed.
        case replaced(by: Int64?)
        case editWindowPassed
    }

    /// Why a reader flags a comment.
    public enum FlagReason: String, Sendable, CaseIterable, Codable {
        case offensive, abusive, spam
        case personalInfo = "personal_info"
        case other
    }

    /// A flag that was stored (or found: each reader flags a comment once).
    public struct Flagged: Sendable, Equatable {
        public var flagID: Int64
        /// False when this reader had flagged the comment before; nothing changed.
        public var created: Bool
        /// The comment's status afterwards: `held` when the flags hid it.
        public var commentStatus: String
    }

    /// One published comment, without anything that identifies the login behind it.
    public struct Published: Sendable, Equatable {
        public var id: Int64
        public var displayName: String
        public var body: String
        public var submittedAt: Date
        /// The comment this one replies to; nil for a top-level comment.
        public var parentID: Int64?
        /// For a top-level comment: how many published replies it has, and the first of them, oldest first.
        public var replyCount = 0
        public var replies: [Published] = []
    }

    /// What an author may see about their own comment.
    public struct OwnComment: Sendable, Equatable {
        public var id: Int64
        public var articleRef: String
        public var status: CommentStatus
        public var submittedAt: Date
        public var statusChangedAt: Date
        /// The reason codes of the latest decision (empty while queued or when approved without a hit).
        public var reasons: [String]
    }

    /// A position in an article's listing: comments strictly older than this one come next.
    public struct Cursor: Sendable, Equatable {
        public var submittedAt: Date
        public var id: Int64

        public init(submittedAt: Date, id: Int64) {
            self.submittedAt = submittedAt
            self.id = id
        }
    }

    public init() {}

    /// Stores the comment and its queue row in one transaction (through `post_comment`, or `post_reply` for a reply to
    /// `parentID`), or throws ``Refusal``. The burst limit is the active policy's
    /// (`policy_versions.reader_posts_per_minute`), never the caller's.
    public func post(
        articleRef: String,
        reader: Reader,
        body: String,
        idempotencyKey: String?,
        parentID: Int64? = nil,
        on connection: PostgresConnection
    ) async throws -> Posted {
        try await refusing {
            let query: SQLQuery =
                if let parentID {
                    """
                    SELECT comment_id, replayed, status FROM post_reply(
                        \(articleRef), \(parentID), \(reader.provider), \(reader.subject), \(reader.displayName), \(body),
                        \(idempotencyKey), \(reader.tokenIssuedAt), \(reader.tokenExpiresAt))
                    """
                } else {
                    """
                    SELECT comment_id, replayed, status FROM post_comment(
                        \(articleRef), \(reader.provider), \(reader.subject), \(reader.displayName), \(body), \(idempotencyKey),
                        \(reader.tokenIssuedAt), \(reader.tokenExpiresAt))
                    """
                }
            let row = try await connection.query(query).single()
            let (id, replayed, status) = try row.decode((Int64, Bool, CommentStatus).self)
            return Posted(commentID: id, replayed: replayed, status: status)
        }
    }

    /// Flags a published comment (through `flag_comment`), or throws ``Refusal``. The hourly limit and the number of
    /// flags that hide a comment are the active policy's (`policy_versions.flags_per_hour`, `flags_to_hide`).
    public func flag(
        commentID: Int64,
        reader: Reader,
        reason: FlagReason,
        note: String?,
        on connection: PostgresConnection
    ) async throws -> Flagged {
        try await refusing {
            let row = try await connection.query(
                """
                SELECT flag_id, created, status FROM flag_comment(
                    \(commentID), \(reader.provider), \(reader.subject), \(reader.displayName), \(reason.rawValue), \(note))
                """
            ).single()
            let (id, created, status) = try row.decode((Int64, Bool, String).self)
            return Flagged(flagID: id, created: created, commentStatus: status)
        }
    }

    /// Replaces the reader's comment `commentID` with `body` within the policy's edit window (through `edit_comment`),
    /// or throws ``Refusal``. The new revision is queued for moderation; returns its id.
    public func edit(commentID: Int64, reader: Reader, body: String, on connection: PostgresConnection) async throws -> Posted {
        try await refusing {
            let row = try await connection.query(
                """
                SELECT new_id, status FROM edit_comment(
                    \(commentID), \(reader.provider), \(reader.subject), \(reader.displayName), \(body), \(reader.tokenIssuedAt),
                    \(reader.tokenExpiresAt))
                """
            ).single()
            let (id, status) = try row.decode((Int64, CommentStatus).self)
            return Posted(commentID: id, replayed: false, status: status)
        }
    }

    /// Removes the reader's comment `commentID` from view (through `delete_comment`), or throws ``Refusal``. Deleting a
    /// removed comment changes nothing.
    public func delete(commentID: Int64, reader: Reader, on connection: PostgresConnection) async throws {
        try await refusing {
            try await connection.query("SELECT delete_comment(\(commentID), \(reader.provider), \(reader.subject))")
        }
    }

    // MARK: Readers' rights

    /// Everything stored about the reader, as JSON (through `reader_export`: moderators' names and notes left out);
    /// nil when the login has no account.
    public func export(reader: Reader, on connection: PostgresConnection) async throws -> String? {
        try await connection.query("SELECT reader_export(\(reader.provider), \(reader.subject))::text").single().decode(String?.self, at: 0)
    }

    /// Schedules the erasure of the reader's data after the policy's grace period; returns when it is due (the same
    /// date for a repeated request). Throws ``Refusal/notYours`` when nothing is stored about the login.
    public func requestErasure(reader: Reader, on connection: PostgresConnection) async throws -> Date {
        try await refusing {
            try await connection.query("SELECT request_reader_erasure(\(reader.provider), \(reader.subject))").single()
                .decode(Date.self, at: 0)
        }
    }

    /// Cancels a pending erasure; false when none was pending.
    public func cancelErasure(reader: Reader, on connection: PostgresConnection) async throws -> Bool {
        try await connection.query("SELECT cancel_reader_erasure(\(reader.provider), \(reader.subject))").single()
            .decode(Bool?.self, at: 0) ?? false
    }

    /// Runs `body`, turning the project's own SQLSTATEs into ``Refusal``s (other errors pass as they are).
    @discardableResult
    private func refusing<T>(_ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch let error as PostgresError {
            throw Self.refusal(error) ?? error
        }
    }

    static func refusal(_ error: PostgresError) -> Refusal? {
        switch error.sqlState {
        case .unknownArticle?: .unknownArticle
        case .commentsClosed?: .commentsClosed
        case .accountBanned?: .accountBanned
        case .accountSuspended?: .accountSuspended(until: error.detail)
        case .tooManyPosts?: .tooManyPosts(retryAfterSeconds: max(1, Int(error.detail ?? "") ?? 60))
        case .idempotencyKeyReused?: .idempotencyKeyReused
        case .notFlaggable?: .notFlaggable
        case .ownComment?: .ownComment
        case .tooManyFlags?: .tooManyFlags(retryAfterSeconds: max(1, Int(error.detail ?? "") ?? 3600))
        case .parentUnavailable?: .parentUnavailable
        case .notYours?: .notYours
        case .replaced?: .replaced(by: error.detail.flatMap { Int64($0) })
        case .editWindowPassed?: .editWindowPassed
        default: nil
        }
    }

    /// An article by its ref: its id, the version of its published set and when that last changed (sql/0015: what a
    /// list's ETag and Last-Modified are made of); nil when there is no such article. One row by its unique ref.
    public func publishedVersion(
        articleRef: String,
        on connection: PostgresConnection
    ) async throws -> (articleID: Int64, version: Int64, changedAt: Date)? {
        guard
            let row = try await connection.query(
                "SELECT id, published_version, published_changed_at FROM articles WHERE ref = \(articleRef)"
            ).first
        else { return nil }
        return (try row.decode(column: "id"), try row.decode(column: "published_version"), try row.decode(column: "published_changed_at"))
    }

    /// Article `articleID`'s approved top-level comments, newest first, after `cursor`, each with its reply count and
    /// first `replies` replies (oldest first).
    public func published(
        articleID: Int64,
        before cursor: Cursor?,
        limit: Int,
        replies: Int = 3,
        on connection: PostgresConnection
    ) async throws -> [Published] {
        let after: SQLQuery = cursor.map { "AND (c.submitted_at, c.id) < (\($0.submittedAt), \($0.id))" } ?? ""
        let rows = try await connection.query(
            """
            SELECT c.id, acc.display_name, c.body, c.submitted_at,
                   (SELECT count(*) FROM comments r WHERE r.parent_id = c.id AND r.status = 'approved' AND r.erased_at IS NULL)
            FROM comments c
            LEFT JOIN accounts acc ON acc.id = c.account_id
            WHERE c.article_id = \(articleID) AND c.status = 'approved' AND c.parent_id IS NULL AND c.erased_at IS NULL \(after)
            ORDER BY c.submitted_at DESC, c.id DESC
            LIMIT \(limit)
            """
        )
        var comments: [Published] = []
        for row in rows {
            let (id, name, body, at, count) = try row.decode((Int64, String?, String, Date, Int).self)
            comments.append(Published(id: id, displayName: name ?? "", body: body, submittedAt: at, replyCount: count))
        }
        let withReplies = comments.filter { $0.replyCount > 0 }.map(\.id)
        guard replies > 0, !withReplies.isEmpty else { return comments }
        var first: [Int64: [Published]] = [:]
        for reply in try await Self.replies(
            to: withReplies,
            after: nil,
            limit: replies,
            on: connection
        ) {
            first[reply.parentID ?? 0, default: []].append(reply)
        }
        return comments.map { comment in
            var comment = comment
            comment.replies = first[comment.id] ?? []
            return comment
        }
    }

    /// The published replies to `parentID`, oldest first, after `cursor`; nil when `parentID` is not a published
    /// top-level comment.
    public func replies(to parentID: Int64, after cursor: Cursor?, limit: Int, on connection: PostgresConnection) async throws -> [Published]? {
        let parent = try await connection.query(
            "SELECT 1 FROM comments WHERE id = \(parentID) AND status = 'approved' AND parent_id IS NULL AND erased_at IS NULL"
        )
        guard !parent.isEmpty else { return nil }
        return try await Self.replies(to: [parentID], after: cursor, limit: limit, on: connection)
    }

    /// Up to `limit` published replies to each of `parents`, oldest first, read along `comments_parent_approved`.
    static func replies(to parents: [Int64], after cursor: Cursor?, limit: Int, on connection: PostgresConnection) async throws -> [Published] {
        let after: SQLQuery = cursor.map { "AND (c.submitted_at, c.id) > (\($0.submittedAt), \($0.id))" } ?? ""
        return try await connection.query(
            """
            SELECT r.id, acc.display_name, r.body, r.submitted_at, r.parent_id
            FROM unnest(\(parents)::bigint[]) AS p(id)
            CROSS JOIN LATERAL (
                SELECT c.id, c.account_id, c.body, c.submitted_at, c.parent_id FROM comments c
                WHERE c.parent_id = p.id AND c.status = 'approved' AND c.erased_at IS NULL \(after)
                ORDER BY c.submitted_at, c.id
                LIMIT \(limit)
            ) r
            LEFT JOIN accounts acc ON acc.id = r.account_id
            ORDER BY r.parent_id, r.submitted_at, r.id
            """
        ).map { row in
            let v = try row.decode((Int64, String?, String, Date, Int64).self)
            return Published(id: v.0, displayName: v.1 ?? "", body: v.2, submittedAt: v.3, parentID: v.4)
        }
    }

    /// The comment `id` if `reader` wrote it; nil for anyone else's comment and for ids that do not exist.
    public func own(commentID: Int64, reader: Reader, on connection: PostgresConnection) async throws -> OwnComment? {
        let rows = try await connection.query(
            """
            SELECT id, article_ref, status, submitted_at, status_changed_at, reasons
            FROM reader_comment(\(commentID), \(reader.provider), \(reader.subject))
            """
        )
        guard let row = rows.first else { return nil }
        let values = try row.decode((Int64, String, CommentStatus, Date, Date, [String]).self)
        return OwnComment(
            id: values.0,
            articleRef: values.1,
            status: values.2,
            submittedAt: values.3,
            statusChangedAt: values.4,
            reasons: values.2 == .queued ? [] : values.5
        )
    }
}
