public import Foundation
public import PostgresLibPQ

/// What moderators do: read the held queue, decide, and read the audit trail. Every decision is a new row in
/// `moderation_decisions`; nothing here edits history.
public struct Moderation: Sendable {
    public init() {}

    /// A held comment as the queue lists it.
    public struct Held: Sendable, Codable, Equatable {
        public var id: Int64
        public var submittedAt: Date
        public var ageSeconds: Int
        public var article: String
        /// `provider:subject`, or empty for an anonymous submission.
        public var author: String
        public var displayName: String
        public var reasons: [String]
        public var body: String
    }

    public struct QueueFilter: Sendable {
        public var reason: String?
        public var article: String?
        /// Only comments submitted at least this long ago.
        public var minimumAgeSeconds: Int?
        public var limit: Int

        public init(reason: String? = nil, article: String? = nil, minimumAgeSeconds: Int? = nil, limit: Int = 50) {
            self.reason = reason
            self.article = article
            self.minimumAgeSeconds = minimumAgeSeconds
            self.limit = limit
        }
    }

    /// The columns of ``Held`` and the joins they need; callers add WHERE, ORDER BY and LIMIT.
    private static let heldSelect: SQLQuery = """
        SELECT c.id, c.submitted_at, extract(epoch FROM now() - c.submitted_at)::bigint AS age, ar.ref AS article,
               coalesce(acc.provider || ':' || acc.provider_subject, '') AS author, coalesce(acc.display_name, '') AS display_name,
               c.reasons, c.body
        FROM comments c
        JOIN articles ar ON ar.id = c.article_id
        LEFT JOIN accounts acc ON acc.id = c.account_id
        """

    private static func decodeHeld(_ rows: PostgresRows) throws -> [Held] {
        try rows.map { row in
            Held(
                id: try row.decode(column: "id"),
                submittedAt: try row.decode(column: "submitted_at"),
                ageSeconds: try row.decode(column: "age"),
                article: try row.decode(column: "article"),
                author: try row.decode(column: "author"),
                displayName: try row.decode(column: "display_name"),
                reasons: try row.decode(column: "reasons"),
                body: try row.decode(column: "body")
            )
        }
    }

    /// Held comments, oldest first, read along the `comments_held` index (never a scan of all comments).
    public func held(_ filter: QueueFilter, on connection: PostgresConnection) async throws -> [Held] {
        try Self.decodeHeld(
            try await connection.query(
                "\(Self.heldSelect) WHERE c.status = 'held' \(Self.conditions(filter)) ORDER BY c.submitted_at, c.id LIMIT \(filter.limit)"
            )
        )
    }

    /// The filter's conditions on `comments c` (its limit aside), each starting with AND.
    private static func conditions(_ filter: QueueFilter?) -> SQLQuery {
        guard let filter else { return "" }
        var conditions: SQLQuery = ""
        if let article = filter.article { conditions = "\(conditions) AND c.article_id = (SELECT id FROM articles WHERE ref = \(article))" }
        if let age = filter.minimumAgeSeconds { conditions = "\(conditions) AND c.submitted_at <= now() - make_interval(secs => \(age))" }
        if let reason = filter.reason { conditions = "\(conditions) AND \(reason) = ANY(c.reasons)" }
        return conditions
    }

    /// How many comments are held (those `filter` selects, when given, its limit aside), and the age in seconds of the
    /// oldest.
    public func heldSummary(_ filter: QueueFilter? = nil, on connection: PostgresConnection) async throws -> (count: Int, oldestSeconds: Int?) {
        try await connection.query(
            "SELECT count(*), extract(epoch FROM now() - min(submitted_at))::bigint FROM comments c WHERE status = 'held' \(Self.conditions(filter))"
        ).single().decode((Int, Int?).self)
    }

    /// Held comments per reason of their latest decision (those `filter` selects, when given), most frequent first (an
    /// index-only scan of `comments_held` without a filter).
    public func heldByReason(_ filter: QueueFilter? = nil, on connection: PostgresConnection) async throws -> [(reason: String, count: Int)] {
        try await connection.query(
            """
            SELECT r, count(*) FROM comments c CROSS JOIN LATERAL unnest(c.reasons) r
            WHERE c.status = 'held' \(Self.conditions(filter))
            GROUP BY r ORDER BY count(*) DESC, r
            """
        ).map { try $0.decode((String, Int).self) }.map { (reason: $0.0, count: $0.1) }
    }

    // MARK: Decisions

    /// What a moderator decides about a held comment (the engine's judgement is `StandardsPolicy.Verdict`).
    public enum Ruling: String, Sendable, Codable {
        case approve, reject
    }

    /// Why a decision was not recorded.
    public enum Refusal: Error, Sendable, Equatable, CustomStringConvertible {
        case notFound(Int64)
        /// The comment is no longer held: someone decided it first (or it was never held).
        case alreadyDecided(id: Int64, status: CommentStatus, by: String?, at: Date?)

        public var description: String {
            switch self {
            case .notFound(let id): "comment \(id) does not exist"
            case .alreadyDecided(let id, let status, let by, let at):
                "comment \(id) is \(status)" + (by.map { " (decided by \($0)" + (at.map { " at \(Self.format($0)))" } ?? ")") } ?? "")
                    + "; nothing changed (use --reverse to overturn a decision deliberately)"
            }
        }

        static func format(_ date: Date) -> String { Date.ISO8601FormatStyle().format(date) }
    }

    /// A recorded moderator decision.
    public struct Decided: Sendable, Codable, Equatable {
        public var commentID: Int64
        public var decisionID: Int64
        public var previousStatus: CommentStatus
        public var status: CommentStatus
    }

    /// Records a moderator's decision on a held comment, or on a published one that readers flagged (approving keeps it,
    /// rejecting removes it), or, with `reverse`, overturns the decision on a decided one (rejecting an approved comment
    /// removes it). The decision resolves the comment's open flags: upheld when it rejects. Concurrent moderators are
    /// serialized on the comment's row: the second finds it no longer held (nor flagged) and gets
    /// ``Refusal/alreadyDecided(id:status:by:at:)``.
    public func decide(
        _ commentID: Int64,
        _ verdict: Ruling,
        reasons: [String],
        note: String?,
        moderator: String,
        reverse: Bool,
        on connection: PostgresConnection
    ) async throws -> Decided {
        // The comment row is locked by a statement of its own: under READ COMMITTED a statement that waited for the
        // lock re-reads only the locked row, so a moderator who waited for another must decide with a snapshot
        // taken after the first decision (its flags resolved), not with the one from before the wait.
        try await connection.withTransaction { connection in
            _ = try await connection.query("SELECT 1 FROM comments WHERE id = \(commentID) FOR UPDATE")
            return try await decideLocked(commentID, verdict, reasons: reasons, note: note, moderator: moderator, reverse: reverse, on: connection)
        }
    }

    /// `decide` for a caller already inside a transaction holding the comment's row lock.
    func decideLocked(
        _ commentID: Int64,
        _ verdict: Ruling,
        reasons: [String],
        note: String?,
        moderator: String,
        reverse: Bool,
        on connection: PostgresConnection
    ) async throws -> Decided {
        let rows = try await connection.query(
            """
            WITH target AS (
                SELECT id, status FROM comments WHERE id = \(commentID)
            ), allowed AS (
                SELECT id, status,
                       CASE WHEN \(verdict.rawValue) = 'approve' THEN 'approved'
                            WHEN status = 'approved' THEN 'removed' ELSE 'rejected' END AS new_status
                FROM target
                WHERE status = 'held'
                   OR (status = 'approved' AND EXISTS (SELECT 1 FROM comment_flags f WHERE f.comment_id = target.id AND f.resolved_at IS NULL))
                   OR (\(reverse) AND status IN ('approved', 'rejected', 'removed')
                                          AND NOT (status = 'approved' AND \(verdict.rawValue) = 'approve')
                                          AND NOT (status IN ('rejected', 'removed') AND \(verdict.rawValue) = 'reject'))
            ), recorded AS (
                INSERT INTO moderation_decisions (comment_id, source, outcome, reasons, policy_version, decided_by, note)
                SELECT id, 'moderator', \(verdict.rawValue), \(reasons)::text[], (SELECT id FROM policy_versions WHERE is_active),
                       \(moderator), \(note)
                FROM allowed
                RETURNING id, comment_id
            ), changed AS (
                UPDATE comments c SET status = a.new_status, status_changed_at = now(), reasons = \(reasons)::text[]
                FROM allowed a WHERE c.id = a.id
                RETURNING c.id
            ), resolved AS (
                UPDATE comment_flags f SET resolved_by = r.id, resolved_at = now(), upheld = \(verdict == .reject)
                FROM recorded r WHERE f.comment_id = r.comment_id AND f.resolved_at IS NULL
            ), unclaimed AS (
                DELETE FROM review_claims WHERE comment_id IN (SELECT id FROM allowed)
            )
            SELECT t.status, (SELECT id FROM recorded), (SELECT new_status FROM allowed),
                   last.decided_by, last.decided_at
            FROM target t
            LEFT JOIN LATERAL (
                SELECT decided_by, decided_at FROM moderation_decisions WHERE comment_id = t.id ORDER BY decided_at DESC, id DESC LIMIT 1
            ) last ON true
            """
        )
        guard let row = rows.first else { throw Refusal.notFound(commentID) }
        let (previous, decisionID, newStatus, lastBy, lastAt) = try row.decode((CommentStatus, Int64?, CommentStatus?, String?, Date?).self)
        guard let decisionID, let newStatus else {
            throw Refusal.alreadyDecided(id: commentID, status: previous, by: lastBy, at: lastAt)
        }
        return Decided(commentID: commentID, decisionID: decisionID, previousStatus: previous, status: newStatus)
    }

    // MARK: Review claims

    /// Claims the oldest held comment that no other moderator has claimed, for `seconds`, and returns it.
    ///
    /// Candidates are locked with `SKIP LOCKED` while the claim is written, so two reviewers asking at the same time
    /// get different comments; a claim is only taken over once it has expired. `excluding` holds the comments this
    /// reviewer skipped in this session. Nil when nothing is left.
    public func claimNext(moderator: String, seconds: Int, excluding: [Int64] = [], on connection: PostgresConnection) async throws -> Held? {
        // Held, not skipped in this session, and not claimed by someone else right now.
        let claimable: SQLQuery = """
            c.status = 'held' AND c.id <> ALL(\(excluding)::bigint[])
            AND NOT EXISTS (SELECT 1 FROM review_claims rc
                            WHERE rc.comment_id = c.id AND rc.claimed_until > now() AND rc.moderator <> \(moderator))
            """
        for _ in 0..<5 {
            let claimed = try await connection.query(
                """
                WITH candidate AS (
                    SELECT c.id FROM comments c WHERE \(claimable)
                    ORDER BY c.submitted_at, c.id
                    LIMIT 1
                    FOR UPDATE OF c SKIP LOCKED
                )
                INSERT INTO review_claims AS rc (comment_id, moderator, claimed_until)
                SELECT id, \(moderator), now() + make_interval(secs => \(seconds)) FROM candidate
                ON CONFLICT (comment_id) DO UPDATE SET moderator = EXCLUDED.moderator, claimed_until = EXCLUDED.claimed_until
                    WHERE rc.claimed_until <= now() OR rc.moderator = EXCLUDED.moderator
                RETURNING comment_id
                """
            )
            if let row = claimed.first {
                let id = try row.decode(Int64.self, at: 0)
                return try await held(id: id, on: connection)
            }
            // Nothing claimed: either nothing is left, or another reviewer claimed our candidate between our
            // snapshot and our write (the conflict clause refused to take it over). Look again.
            let left = try await connection.query(
                """
                SELECT count(*) FROM comments c WHERE \(claimable)
                """
            ).single().decode(Int.self, at: 0)
            if left == 0 { return nil }
        }
        return nil
    }

    /// Gives a claimed comment back (a reviewer quit or skipped it).
    public func release(_ id: Int64, moderator: String, on connection: PostgresConnection) async throws {
        try await connection.query("DELETE FROM review_claims WHERE comment_id = \(id) AND moderator = \(moderator)")
    }

    /// One held comment by id, as the queue lists it.
    func held(id: Int64, on connection: PostgresConnection) async throws -> Held? {
        try Self.decodeHeld(try await connection.query("\(Self.heldSelect) WHERE c.id = \(id)")).first
    }

    // MARK: Reader flags

    /// A comment readers flagged whose flags no moderator has resolved yet.
    public struct Reported: Sendable, Codable, Equatable {
        public var id: Int64
        /// `approved` (still shown) or `held` (the flags hid it).
        public var status: CommentStatus
        public var article: String
        public var author: String
        public var body: String
        public var flags: Int
        /// Open flags per reason.
        public var byReason: [String: Int]
        public var firstFlaggedAt: Date
        /// The flaggers' record on other comments: how many of their resolved flags moderators upheld.
        public var flaggersUpheld: Int
        public var flaggersResolved: Int
    }

    /// Comments with open flags, the most flagged first (then the longest waiting), read along `comment_flags_unresolved`.
    public func reported(limit: Int, on connection: PostgresConnection) async throws -> [Reported] {
        let rows = try await connection.query(
            """
            WITH open AS (
                SELECT comment_id, sum(k)::bigint AS n, min(flagged_at) AS first_at, jsonb_object_agg(reason, k) AS by_reason
                FROM (SELECT comment_id, reason, count(*) AS k, min(flagged_at) AS flagged_at
                      FROM comment_flags WHERE resolved_at IS NULL GROUP BY comment_id, reason) r
                GROUP BY comment_id
            )
            SELECT c.id, c.status, ar.ref AS article, coalesce(acc.provider || ':' || acc.provider_subject, '') AS author, c.body,
                   o.n AS flags, o.by_reason, o.first_at, record.upheld, record.resolved
            FROM open o
            JOIN comments c ON c.id = o.comment_id
            JOIN articles ar ON ar.id = c.article_id
            LEFT JOIN accounts acc ON acc.id = c.account_id
            CROSS JOIN LATERAL (
                SELECT count(*) FILTER (WHERE past.upheld) AS upheld, count(*) AS resolved
                FROM comment_flags mine JOIN comment_flags past ON past.account_id = mine.account_id
                WHERE mine.comment_id = c.id AND mine.resolved_at IS NULL AND past.comment_id <> c.id AND past.resolved_at IS NOT NULL
            ) record
            ORDER BY o.n DESC, o.first_at, c.id
            LIMIT \(limit)
            """
        )
        return try rows.map { row in
            Reported(
                id: try row.decode(column: "id"),
                status: try row.decode(column: "status"),
                article: try row.decode(column: "article"),
                author: try row.decode(column: "author"),
                body: try row.decode(column: "body"),
                flags: try row.decode(column: "flags"),
                byReason: try row.decode(PostgresJSON.self, column: "by_reason").decode([String: Int].self),
                firstFlaggedAt: try row.decode(column: "first_at"),
                flaggersUpheld: try row.decode(column: "upheld"),
                flaggersResolved: try row.decode(column: "resolved")
            )
        }
    }

    /// One reader's flag on a comment, with how it was resolved.
    public struct Flag: Sendable, Codable, Equatable {
        public var by: String
        public var reason: String
        public var note: String?
        public var at: Date
        /// Nil while open; true when the moderator's decision removed the comment.
        public var upheld: Bool?
        public var resolvedAt: Date?
    }

    /// The flags on comment `id`, oldest first.
    public func flags(comment id: Int64, on connection: PostgresConnection) async throws -> [Flag] {
        try await connection.query(
            """
            SELECT a.provider || ':' || a.provider_subject, f.reason, f.note, f.flagged_at, f.upheld, f.resolved_at
            FROM comment_flags f JOIN accounts a ON a.id = f.account_id
            WHERE f.comment_id = \(id) ORDER BY f.flagged_at, f.id
            """
        ).map { row in
            let v = try row.decode((String, String, String?, Date, Bool?, Date?).self)
            return Flag(by: v.0, reason: v.1, note: v.2, at: v.3, upheld: v.4, resolvedAt: v.5)
        }
    }

    // MARK: Audit trail

    /// One entry of a comment's or an account's history.
    public struct Event: Sendable, Codable, Equatable {
        public var at: Date
        /// `decision` or `sanction`.
        public var kind: String
        public var commentID: Int64?
        /// For decisions: automatic or moderator; for sanctions: warn, suspend, ban, unban.
        public var source: String
        public var outcome: String?
        public var reasons: [String]
        public var by: String
        public var note: String?
        public var until: Date?
    }

    /// Every decision on comment `id`, oldest first; nil when the comment does not exist.
    public func history(comment id: Int64, on connection: PostgresConnection) async throws -> [Event]? {
        let rows = try await connection.query(
            """
            SELECT d.decided_at, d.source, d.outcome, d.reasons, d.decided_by, d.note
            FROM (SELECT id FROM comments WHERE id = \(id)) c
            LEFT JOIN moderation_decisions d ON d.comment_id = c.id
            ORDER BY d.decided_at, d.id
            """
        )
        guard !rows.isEmpty else { return nil }
        // The comment's row comes back once with no decision joined (all NULL) when it has none yet.
        return try rows.compactMap { row in
            guard let at = try row.decode(Date?.self, column: "decided_at"), let source = try row.decode(String?.self, column: "source") else {
                return nil
            }
            return Event(
                at: at,
                kind: "decision",
                commentID: id,
                source: source,
                outcome: try row.decode(column: "outcome"),
                reasons: try row.decode([String]?.self, column: "reasons") ?? [],
                by: try row.decode(String?.self, column: "decided_by") ?? "",
                note: try row.decode(column: "note"),
                until: nil
            )
        }
    }

    /// Decisions on an account's comments and its sanctions, oldest first; nil when there is no such account.
    public func history(account: AccountRef, limit: Int = 500, on connection: PostgresConnection) async throws -> [Event]? {
        guard let accountID = try await Accounts().id(of: account, on: connection) else { return nil }
        let rows = try await connection.query(
            """
            SELECT * FROM (
                SELECT d.decided_at AS at, 'decision' AS kind, d.comment_id, d.source, d.outcome, d.reasons, d.decided_by AS by,
                       d.note, NULL::timestamptz AS until
                FROM comments c JOIN moderation_decisions d ON d.comment_id = c.id
                WHERE c.account_id = \(accountID)
                UNION ALL
                SELECT s.issued_at, 'sanction', NULL, s.kind, NULL, '{}', s.issued_by, s.reason, s.until
                FROM account_sanctions s WHERE s.account_id = \(accountID)
            ) e
            ORDER BY at DESC LIMIT \(limit)
            """
        )
        return try rows.map { row in
            Event(
                at: try row.decode(column: "at"),
                kind: try row.decode(column: "kind"),
                commentID: try row.decode(column: "comment_id"),
                source: try row.decode(column: "source"),
                outcome: try row.decode(column: "outcome"),
                reasons: try row.decode(column: "reasons"),
                by: try row.decode(column: "by"),
                note: try row.decode(column: "note"),
                until: try row.decode(column: "until")
            )
        }.reversed()
    }
}

/// An account named as moderators write it: `provider:subject` (e.g. `twitter:12345`).
public struct AccountRef: Sendable, Equatable, CustomStringConvertible {
    public var provider: String
    public var subject: String

    public init?(_ text: String) {
        guard let colon = text.firstIndex(of: ":") else { return nil }
        let provider = String(text[..<colon])
        let subject = String(text[text.index(after: colon)...])
        guard !provider.isEmpty, !subject.isEmpty else { return nil }
        self.provider = provider
        self.subject = subject
    }

    public var description: String { "\(provider):\(subject)" }
}
