import Foundation
import PostgresLibPQ
import PostgresTestSupport
import Testing

/// Each reader's count of approved comments (sql/0019), which the new-commenter rule reads: kept by the comments'
/// triggers whoever changes a status, and taken in the order of the readers' ids.
@Suite(.timeLimit(.minutes(2)))
struct AccountApprovalsTests {
    /// The counts after every kind of change equal a count of the comments themselves.
    @Test func theCountFollowsEveryChangeOfStatus() async throws {
        try await withMigratedDatabase(label: "approvals") { client in
            try await client.query("SELECT register_article('a-1', NULL, 'Article', now())")
            func comment(_ subject: String) async throws -> Int64 {
                try await client.query("SELECT submit_comment('a-1', 'twitter', \(subject), 'Reader', 'a comment', NULL)")
                    .single().decode(Int64.self, at: 0)
            }
            func counts() async throws -> [String: Int] {
                var counts: [String: Int] = [:]
                for row in try await client.query(
                    "SELECT a.provider_subject, p.approved FROM account_approvals p JOIN accounts a ON a.id = p.account_id WHERE p.approved > 0"
                ) {
                    let (subject, approved) = try row.decode((String, Int).self)
                    counts[subject] = approved
                }
                return counts
            }
            func truth() async throws -> [String: Int] {
                var counts: [String: Int] = [:]
                for row in try await client.query(
                    """
                    SELECT a.provider_subject, count(*)::integer FROM comments c JOIN accounts a ON a.id = c.account_id
                    WHERE c.status = 'approved' GROUP BY a.provider_subject
                    """
                ) {
                    let (subject, approved) = try row.decode((String, Int).self)
                    counts[subject] = approved
                }
                return counts
            }
            func setStatus(_ status: String, _ ids: [Int64]) async throws {
                try await client.query("UPDATE comments SET status = \(status), status_changed_at = now() WHERE id = ANY(\(ids))")
            }

            let first = [try await comment("r1"), try await comment("r1"), try await comment("r1"), try await comment("r2")]
            #expect(try await counts().isEmpty)  // queued

            // A worker's batch: three of r1's and r2's comment approved in one statement.
            try await setStatus("approved", first)
            #expect(try await counts() == ["r1": 3, "r2": 1])

            // A moderator removes one, holds another; r2's is held and then approved.
            try await setStatus("removed", [first[0]])
            try await setStatus("held", [first[1], first[3]])
            #expect(try await counts() == ["r1": 1])
            try await setStatus("approved", [first[3]])
            #expect(try await counts() == ["r1": 1, "r2": 1])

            // A change that leaves the status (an erasure blanks the text) changes no count.
            try await client.query("UPDATE comments SET body = '' WHERE id = \(first[2])")
            #expect(try await counts() == ["r1": 1, "r2": 1])

            // An import writes a comment approved already.
            try await client.query(
                """
                INSERT INTO comments (article_id, account_id, body, status, auth_provider)
                SELECT 1, id, 'imported', 'approved', 'twitter' FROM accounts WHERE provider_subject = 'r2'
                """
            )
            #expect(try await counts() == ["r1": 1, "r2": 2])
            #expect(try await counts() == (try await truth()))
        }
    }

    /// Two statements that approve comments of the same readers (the worker finishes two batches at once) take the
    /// readers' counts in the order of their ids, so neither can hold one the other waits for while waiting for one the
    /// other holds: a statement waiting for the lowest reader's count holds none of the others.
    @Test func aBatchTakesItsReadersCountsInIdOrder() async throws {
        let template = try await migratedTemplate()
        try await TestPostgres.withDatabase(label: "approvalorder", template: template) { configuration in
            try await PostgresConnection.withConnection(configuration: configuration, logger: TestPostgres.logger) { holder in
                try await holder.query("SELECT register_article('a-1', NULL, 'Article', now())")
                func comment(_ n: Int) async throws -> Int64 {
                    try await holder.query("SELECT submit_comment('a-1', 'twitter', \("r\(n)"), 'Reader', 'a comment', NULL)")
                        .single().decode(Int64.self, at: 0)
                }
                // Forty readers with an approved comment each (so each has a count), then a queued one each, written in
                // the reverse order of the readers' ids.
                var approved: [Int64] = []
                for n in 0..<40 { approved.append(try await comment(n)) }
                try await holder.query("UPDATE comments SET status = 'approved' WHERE id = ANY(\(approved))")
                var queued: [Int64] = []
                for n in (0..<40).reversed() { queued.append(try await comment(n)) }
                let low = try await holder.query("SELECT min(account_id) FROM account_approvals").single().decode(Int64.self, at: 0)
                #expect(try await holder.query("SELECT count(*)::integer FROM account_approvals").single().decode(Int.self, at: 0) == 40)

                try await holder.query("BEGIN")
                try await holder.query("SELECT 1 FROM account_approvals WHERE account_id = \(low) FOR UPDATE")
                let publishing = Task {
                    try await PostgresConnection.withConnection(configuration: configuration, logger: TestPostgres.logger) { worker in
                        // Whatever the plan: here one that groups the readers by hashing, in no order of their ids.
                        try await worker.query("SET enable_sort = off")
                        try await worker.query(
                            "UPDATE comments SET status = 'approved', status_changed_at = now() WHERE id = ANY(\(queued))"
                        )
                    }
                }
                try await PostgresConnection.withConnection(configuration: configuration, logger: TestPostgres.logger) { other in
                    #expect(
                        try await other.sessionsWaitingForALock(in: "UPDATE comments") == 1,
                        "the approving statement waits for the lowest reader's count"
                    )
                    // It holds none of the other counts meanwhile: a third session can take every one of them.
                    try await other.query("BEGIN")
                    let free = try await other.query(
                        """
                        SELECT count(*)::integer FROM (
                            SELECT 1 FROM account_approvals WHERE account_id > \(low) FOR UPDATE SKIP LOCKED) a
                        """
                    ).single().decode(Int.self, at: 0)
                    try await other.query("ROLLBACK")
                    #expect(free == 39)
                }
                try await holder.query("COMMIT")
                try await publishing.value
                let twice = try await holder.query("SELECT count(*)::integer FROM account_approvals WHERE approved = 2").single()
                    .decode(Int.self, at: 0)
                #expect(twice == 40)
            }
        }
    }
}
