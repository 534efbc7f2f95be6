import Foundation
public import PostgresLibPQ
public import StandardsPolicy

/// Loads what the Standards Board rules need for a batch of comments, in three set-based queries however large
/// the batch: the comments with their article, account and its count of approved comments, the accounts' recent
/// comments, and their standing.
public struct ModerationInputs: Sendable {
    /// One comment to judge.
    public struct Item: Sendable {
        public var commentID: Int64
        public var body: String
        public var context: EvaluationContext
    }

    public init() {}

    /// The items for `commentIDs` (comments that no longer exist are left out), in the order given, with the history
    /// of their accounts that `needs` asks for (the judging policy's ``CompiledPolicy/historyNeeds``): each query is
    /// bounded by a window or a count, so what a comment costs does not grow with the site's history.
    public func load(_ commentIDs: [Int64], needs: HistoryNeeds, on connection: PostgresConnection) async throws -> [Item] {
        guard !commentIDs.isEmpty else { return [] }
        let rows = try await connection.query(
            """
            SELECT c.id, c.body, c.submitted_at, c.account_id, a.ref,
                   a.comments_closed_at IS NOT NULL AND a.comments_closed_at <= c.submitted_at AS closed,
                   acc.provider, acc.status, acc.suspended_until > now() AS still_suspended, c.parent_id,
                   coalesce(ap.approved, 0) AS approved
            FROM comments c
            JOIN articles a ON a.id = c.article_id
            LEFT JOIN accounts acc ON acc.id = c.account_id
            LEFT JOIN account_approvals ap ON ap.account_id = c.account_id
            WHERE c.id = ANY(\(commentIDs)::bigint[])
            """
        )
        struct Row {
            var id: Int64, body: String, submittedAt: Date, account: Int64?, article: String, closed: Bool
            var provider: String?, status: String?, stillSuspended: Bool?, parent: Int64?
            /// The author's approved comments (sql/0019), counted only as far as the rules ask.
            var approved: Int
        }
        var byID: [Int64: Row] = [:]
        for row in rows {
            let id: Int64 = try row.decode(column: "id")
            byID[id] = Row(
                id: id,
                body: try row.decode(column: "body"),
                submittedAt: try row.decode(column: "submitted_at"),
                account: try row.decode(column: "account_id"),
                article: try row.decode(column: "ref"),
                closed: try row.decode(column: "closed"),
                provider: try row.decode(column: "provider"),
                status: try row.decode(column: "status"),
                stillSuspended: try row.decode(column: "still_suspended"),
                parent: try row.decode(column: "parent_id"),
                approved: min(try row.decode(column: "approved") as Int, needs.approvedCount)
            )
        }
        let accounts = Array(Set(byID.values.compactMap(\.account)))
        var recent: [Int64: [(id: Int64, comment: EvaluationContext.RecentComment)]] = [:]
        var standing: [Int64: (decided: Int, rejected: Int)] = [:]
        let oldest = byID.values.map(\.submittedAt).min().map { $0.addingTimeInterval(-Double(needs.recentSeconds)) } ?? Date()
        // The first comment ids of the two windows (sql/0016), passed to the queries below as values: PostgreSQL then
        // leaves the history's older partitions out of their plans.
        var floors: (recent: Int64, standing: Int64) = (1, 1)
        if !accounts.isEmpty, needs.recentSeconds > 0 || needs.standingSeconds > 0 {
            floors = try await connection.query(
                "SELECT comment_id_floor(\(oldest)), comment_id_floor(now() - \(needs.standingSeconds) * interval '1 second')"
            ).single().decode((Int64, Int64).self)
        }
        if !accounts.isEmpty, needs.recentSeconds > 0 {
            let newest = byID.values.map(\.submittedAt).max()!
            // Account by account through (account_id, submitted_at): the window bounds each range.
            for row in try await connection.query(
                """
                SELECT r.account_id, r.id, r.submitted_at, r.ref, r.body, r.parent_id
                FROM unnest(\(accounts)::bigint[]) AS account(id)
                CROSS JOIN LATERAL (
                    SELECT c.account_id, c.id, c.submitted_at, a.ref, c.body, c.parent_id
                    FROM comments c JOIN articles a ON a.id = c.article_id
                    WHERE c.account_id = account.id AND c.submitted_at > \(oldest) AND c.submitted_at <= \(newest)
                      AND c.id >= \(floors.recent)
                ) r
                """
            ) {
                let (account, id, at, article, body, parent) = try row.decode((Int64, Int64, Date, String, String, Int64?).self)
                recent[account, default: []].append((id, .init(submittedAt: at, article: article, body: body, parentID: parent)))
            }
        }
        if !accounts.isEmpty, needs.standingSeconds > 0 {
            // Account by account through its index: `account_id = ANY(…)` over a batch's accounts was planned as a
            // scan of the whole table (39 ms a batch at 250,000 comments, most of a drain's database time). Decisions
            // only in the window: counting an account's whole history made each comment cost more as the site aged
            // (43 % slower moderation at 10 million comments). (Approved comments are counted as statuses change,
            // sql/0019, and read with the comments above.)
            for row in try await connection.query(
                """
                SELECT account.id, s.decided, s.rejected
                FROM unnest(\(accounts)::bigint[]) AS account(id)
                CROSS JOIN LATERAL (
                    SELECT count(*) FILTER (WHERE c.status IN ('approved', 'held', 'rejected', 'removed')) AS decided,
                           count(*) FILTER (WHERE c.status IN ('rejected', 'removed')) AS rejected
                    FROM comments c
                    WHERE c.account_id = account.id
                      AND c.submitted_at > now() - \(needs.standingSeconds) * interval '1 second'
                      AND c.id >= \(floors.standing)
                ) s
                """
            ) {
                let (account, decided, rejected) = try row.decode((Int64, Int, Int).self)
                standing[account] = (decided, rejected)
            }
        }
        return commentIDs.compactMap { id in
            guard let row = byID[id] else { return nil }
            var status: EvaluationContext.AccountStatus = .active
            if row.status == "banned" { status = .banned }
            if row.status == "suspended", row.stillSuspended == true { status = .suspended }
            // Earlier comments of the account: submitted before this one (ties broken by id, so two comments of one
            // transaction count each other once, not twice).
            let earlier =
                row.account.flatMap { recent[$0] }?.filter {
                    $0.comment.submittedAt < row.submittedAt || ($0.comment.submittedAt == row.submittedAt && $0.id < id)
                }.map(\.comment) ?? []
            let counts = row.account.flatMap { standing[$0] } ?? (0, 0)
            let context = EvaluationContext(
                authenticated: row.account != nil,
                provider: row.provider,
                accountStatus: status,
                articleClosed: row.closed,
                article: row.article,
                parentID: row.parent,
                now: row.submittedAt,
                recentComments: earlier,
                approvedCount: row.approved,
                recentDecisions: counts.decided,
                recentRejections: counts.rejected
            )
            return Item(commentID: id, body: row.body, context: context)
        }
    }
}
