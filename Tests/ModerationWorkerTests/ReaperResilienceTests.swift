import CommentStore
import Foundation
import PostgresLibPQ
import PostgresTestSupport
import Testing

/// One row the database refuses must not strand the others (issue 15, item 6).
@Suite(.timeLimit(.minutes(2)))
struct ReaperResilienceTests {
    @Test func theReaperReturnsEveryExpiredLeaseButTheOneTheDatabaseRefuses() async throws {
        try await Harness.with("reaper-bad-row") { harness in
            try await harness.seed(6)
            let queue = ModerationQueue()
            try await harness.client.withConnection { connection in
                let leases = try await queue.claim(limit: 6, leaseSeconds: 0.1, worker: "gone", on: connection)
                #expect(leases.count == 6)
                // One comment ran out of attempts, so reaping it records a decision, and the database refuses that one
                // decision (a stand-in for any row-level failure: a CHECK, a trigger, a foreign key).
                let bad = leases[2].commentID
                try await connection.query("UPDATE comment_queue SET attempts = max_attempts WHERE comment_id = \(bad)")
                try await connection.query(
                    SQLQuery(
                        unsafeSQL: """
                            CREATE FUNCTION refuse_one() RETURNS trigger LANGUAGE plpgsql AS $$
                            BEGIN
                                IF NEW.comment_id = \(bad) THEN RAISE EXCEPTION 'refused for the test' USING ERRCODE = '23514'; END IF;
                                RETURN NEW;
                            END $$;
                            CREATE TRIGGER refuse_one BEFORE INSERT ON moderation_decisions FOR EACH ROW EXECUTE FUNCTION refuse_one();
                            """
                    )
                )
                try await Task.sleep(for: .milliseconds(200))
                let reaped = try await queue.reap(policyVersion: nil, worker: "reaper", on: connection)
                #expect(reaped.retried == 5, "\(reaped)")
                #expect(reaped.skipped.count == 1, "\(reaped)")
                let states = try await connection.query("SELECT comment_id, state FROM comment_queue ORDER BY comment_id")
                    .map { try $0.decode((Int64, String).self) }
                for (comment, state) in states {
                    #expect(state == (comment == bad ? "running" : "ready"), "comment \(comment): \(state)")
                }
                // Once the cause is gone, the next pass ends it as the last attempt says: held for a moderator.
                try await connection.query("DROP TRIGGER refuse_one ON moderation_decisions")
                let again = try await queue.reap(policyVersion: nil, worker: "reaper", on: connection)
                #expect(again.failed == 1 && again.skipped.isEmpty, "\(again)")
                #expect(try await connection.query("SELECT status FROM comments WHERE id = \(bad)").single().decode(String.self, at: 0) == "held")
            }
        }
    }
}
