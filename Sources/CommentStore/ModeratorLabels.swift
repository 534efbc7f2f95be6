public import Foundation
public import PostgresLibPQ

/// The moderators' own judgements as training data (issue 18): each comment a moderator approved or rejected since a
/// date, with the moderator's latest word on it. Automatic decisions and holds are left out, so a model trained on
/// these learns this Board's standard rather than the rules'.
public enum ModeratorLabels {
    public struct Example: Sendable, Equatable {
        public var body: String
        /// `approve` or `reject`.
        public var outcome: String
    }

    public static func since(_ since: Date, limit: Int = 1_000_000, on connection: PostgresConnection) async throws -> [Example] {
        let rows = try await connection.query(
            """
            SELECT body, outcome FROM (
                SELECT DISTINCT ON (c.id) c.id, c.body, d.outcome
                FROM comments c JOIN moderation_decisions d ON d.comment_id = c.id
                WHERE d.source = 'moderator' AND d.decided_at >= \(since)
                ORDER BY c.id, d.decided_at DESC, d.id DESC
            ) latest
            WHERE outcome IN ('approve', 'reject')
            ORDER BY id LIMIT \(limit)
            """)
        return try rows.map { row in
            let (body, outcome) = try row.decode((String, String).self)
            return Example(body: body, outcome: outcome)
        }
    }
}
