import CommentStore
import Foundation
import PostgresLibPQ
import PostgresTestSupport
import Testing

/// A migrated database with the default policy active, its conninfo for worker processes, and helpers.
struct Harness {
    let client: PostgresClient
    let url: String

    static func with<T>(_ label: String, _ body: (Harness) async throws -> T) async throws -> T {
        try await withMigratedDatabase(label: label) { client in
            try await body(Harness(client: client, url: client.configuration.connectionString!))
        }
    }

    /// Adds `count` comments from `accounts` different readers (with prior approved comments, so the new-commenter
    /// rule stays out of the way) on one article; every tenth says something the policy rejects.
    func seed(_ count: Int, accounts: Int = 200, article: String = "a-1") async throws {
        try await client.query("SELECT register_article(\(article), NULL, 'Article', now())")
        try await client.query(
            """
            SELECT submit_comment(\(article), 'twitter', 'reader-' || (g % \(accounts)),
                                  'Reader ' || (g % \(accounts)),
                                  CASE WHEN g % 10 = 0 THEN '시발 진짜 ' || g ELSE '좋은 기사입니다 ' || g END, NULL)
            FROM generate_series(1, \(count)) AS g
            """
        )
        // Mark the readers as regulars: earlier approved comments on another article.
        try await client.query(
            """
            WITH other AS (SELECT register_article('history', NULL, NULL, NULL) AS id)
            INSERT INTO comments (article_id, account_id, body, submitted_at, status)
            SELECT other.id, a.id, 'earlier comment ' || n, now() - interval '30 days', 'approved'
            FROM accounts a, other, generate_series(1, 3) AS n
            """
        )
    }

    /// Comments still waiting or being worked on.
    func pending() async throws -> Int {
        try await client.count("SELECT count(*) FROM comment_queue WHERE state IN ('ready', 'running')")
    }

    /// Checks the exactly-once invariant: every queued comment has exactly one automatic decision, and its status
    /// follows that decision's outcome.
    func expectEachCommentDecidedOnce(sourceLocation: SourceLocation = #_sourceLocation) async throws {
        let queued = try await client.count("SELECT count(*) FROM comment_queue")
        let decided = try await client.count("SELECT count(DISTINCT comment_id) FROM moderation_decisions WHERE source = 'automatic'")
        let decisions = try await client.count("SELECT count(*) FROM moderation_decisions WHERE source = 'automatic'")
        let stillQueued = try await client.count(
            "SELECT count(*) FROM comments c JOIN comment_queue q ON q.comment_id = c.id WHERE c.status = 'queued'"
        )
        let mismatched = try await client.count(
            """
            SELECT count(*) FROM comments c JOIN moderation_decisions d ON d.comment_id = c.id AND d.source = 'automatic'
            WHERE c.status <> CASE d.outcome WHEN 'approve' THEN 'approved' WHEN 'hold' THEN 'held' ELSE 'rejected' END
            """
        )
        #expect(decided == queued, "comments with a decision", sourceLocation: sourceLocation)
        #expect(decisions == queued, "one automatic decision each", sourceLocation: sourceLocation)
        #expect(stillQueued == 0, sourceLocation: sourceLocation)
        #expect(mismatched == 0, "status follows the decision", sourceLocation: sourceLocation)
    }

    /// Holds an ACCESS EXCLUSIVE lock on `accounts` until `release()`: a worker that has claimed a batch then waits
    /// inside its batch (loading the batch's history), which lets a test act on a worker mid-batch.
    final class AccountsLock: Sendable {
        let connection: PostgresConnection

        init(_ configuration: PostgresConfiguration) async throws {
            connection = try await PostgresConnection.connect(configuration: configuration, logger: TestPostgres.logger)
            try await connection.query("BEGIN")
            try await connection.query("LOCK TABLE accounts IN ACCESS EXCLUSIVE MODE")
        }

        func release() async throws {
            try await connection.query("COMMIT")
            await connection.close()
        }
    }

    /// Comment ids a worker holds a lease on right now.
    func leased(by worker: String) async throws -> Set<Int64> {
        Set(
            try await client.query("SELECT comment_id FROM comment_queue WHERE state = 'running' AND leased_by = \(worker)").map {
                try $0.decode(Int64.self, at: 0)
            }
        )
    }
}
