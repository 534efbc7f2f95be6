public import Foundation
public import PostgresLibPQ

/// The moderators' own judgements as training data (issue 18): each comment a moderator approved or rejected since a
/// date, with the moderator's latest word on it. Automatic decisions and holds are left out, so a model trained on
/// these learns this Board's standard rather than the rules'.
public enum ModeratorLabels {
    public struct Example: Sendable, Equatable {
        public var body: String
        /// `approve` or `reject`.
        public var outcome: DecisionOutcome
        /// When the moderator decided it (their latest word).
        public var decidedAt: Date
    }

    public static func since(_ since: Date, limit: Int = 1_000_000, on connection: PostgresConnection) async throws -> [Example] {
        let rows = try await connection.query(
            """
            SELECT body, outcome, decided_at FROM (
                SELECT DISTINCT ON (c.id) c.id, c.body, d.outcome, d.decided_at
                FROM comments c JOIN moderation_decisions d ON d.comment_id = c.id
                WHERE d.source = 'moderator' AND d.decided_at >= \(since)
                ORDER BY c.id, d.decided_at DESC, d.id DESC
            ) latest
            WHERE outcome IN ('approve', 'reject')
            ORDER BY id LIMIT \(limit)
            """
        )
        return try rows.map { row in
            let (body, outcome, decidedAt) = try row.decode((String, DecisionOutcome, Date).self)
            return Example(body: body, outcome: outcome, decidedAt: decidedAt)
        }
    }

    /// What the moderators have taught since a model was trained: comments whose latest moderator word (approve or
    /// reject) came after `since` (every such comment when nil: a model trained from a file learned none of this
    /// Board's decisions), and how many of them a moderator approved after one of `modelRules` held them.
    public struct Tally: Sendable, Equatable {
        public var labels: Int
        public var overturnedModelHolds: Int

        public init(labels: Int, overturnedModelHolds: Int) {
            self.labels = labels
            self.overturnedModelHolds = overturnedModelHolds
        }
    }

    /// The tally as of `asOf` (every decision when nil). Reads every moderator decision since `since`: the nightly
    /// report carries it forward from the day before with ``change(since:modelRules:from:to:on:)`` instead.
    public static func tally(since: Date?, modelRules: [String], asOf: Date? = nil, on connection: PostgresConnection) async throws -> Tally {
        let row = try await connection.query(
            """
            WITH latest AS (
                SELECT DISTINCT ON (d.comment_id) d.comment_id, d.outcome
                FROM moderation_decisions d
                WHERE d.source = 'moderator' AND \(after(since)) AND (\(asOf)::timestamptz IS NULL OR d.decided_at < \(asOf))
                ORDER BY d.comment_id, d.decided_at DESC, d.id DESC
            )
            SELECT count(*), count(*) FILTER (WHERE c.outcome = 'approve' AND \(heldByModel(modelRules)))
            FROM latest c
            WHERE c.outcome IN ('approve', 'reject')
            """
        ).single()
        let (labels, overturned) = try row.decode((Int, Int).self)
        return Tally(labels: labels, overturnedModelHolds: overturned)
    }

    /// How the tally moved between `from` and `to`: only comments a moderator decided in [from, to) can have changed
    /// it, each by its latest word at `to` against its latest word at `from`. Reads one period's decisions, however
    /// long the history.
    public static func change(
        since: Date?,
        modelRules: [String],
        from: Date,
        to: Date,
        on connection: PostgresConnection
    ) async throws -> Tally {
        // The range of comment ids decided in the period, passed on as values: the lookups below are then planned on
        // the history partitions that range covers (sql/0016), not on every partition.
        let inPeriod: SQLQuery = "d.source = 'moderator' AND d.decided_at >= \(from) AND d.decided_at < \(to) AND \(after(since))"
        let (first, last) = try await connection.query(
            "SELECT min(d.comment_id), max(d.comment_id) FROM moderation_decisions d WHERE \(inPeriod)"
        ).single().decode((Int64?, Int64?).self)
        guard let first, let last else { return Tally(labels: 0, overturnedModelHolds: 0) }
        let range = first...last
        let row = try await connection.query(
            """
            WITH touched AS (
                SELECT DISTINCT d.comment_id FROM moderation_decisions d WHERE \(inPeriod) AND \(within(range))
            ), words AS (
                SELECT \(latestWord(before: to, since: since, in: range)) AS after, \(latestWord(before: from, since: since, in: range)) AS before,
                       \(heldByModel(modelRules, in: range)) AS model_held
                FROM touched c
            )
            SELECT coalesce(sum(coalesce(after IN ('approve', 'reject'), false)::int - coalesce(before IN ('approve', 'reject'), false)::int), 0)::bigint,
                   coalesce(sum((model_held AND coalesce(after = 'approve', false))::int
                                - (model_held AND coalesce(before = 'approve', false))::int), 0)::bigint
            FROM words
            """
        ).single()
        let (labels, overturned) = try row.decode((Int, Int).self)
        return Tally(labels: labels, overturnedModelHolds: overturned)
    }

    /// Decision `d` is on a comment in `range` (any comment when nil).
    private static func within(_ range: ClosedRange<Int64>?) -> SQLQuery {
        guard let range else { return "true" }
        return "d.comment_id BETWEEN \(range.lowerBound) AND \(range.upperBound)"
    }

    /// Decision `d` came after the model's training cut-off (every decision when `since` is nil).
    private static func after(_ since: Date?) -> SQLQuery {
        "(\(since)::timestamptz IS NULL OR d.decided_at > \(since))"
    }

    /// Comment `c`'s latest moderator outcome before `moment` (and after `since`), or NULL.
    private static func latestWord(before moment: Date, since: Date?, in range: ClosedRange<Int64>? = nil) -> SQLQuery {
        """
        (SELECT d.outcome FROM moderation_decisions d
         WHERE d.comment_id = c.comment_id AND d.source = 'moderator' AND d.decided_at < \(moment) AND \(after(since))
           AND \(within(range))
         ORDER BY d.decided_at DESC, d.id DESC LIMIT 1)
        """
    }

    /// Comment `c` was held by its automatic decision with a hit of one of `modelRules`.
    private static func heldByModel(_ modelRules: [String], in range: ClosedRange<Int64>? = nil) -> SQLQuery {
        """
        EXISTS (SELECT 1 FROM moderation_decisions d, jsonb_array_elements(d.hits) h
                WHERE d.comment_id = c.comment_id AND d.source = 'automatic' AND d.outcome = 'hold'
                  AND h->>'rule' = ANY (\(modelRules)::text[]) AND \(within(range)))
        """
    }
}

extension ModeratorLabels.Tally {
    /// A tally moved by a ``ModeratorLabels/change(since:modelRules:from:to:on:)``.
    public static func + (tally: Self, change: Self) -> Self {
        Self(labels: tally.labels + change.labels, overturnedModelHolds: tally.overturnedModelHolds + change.overturnedModelHolds)
    }
}
