import CommentStore
import Foundation
import PostgresLibPQ
import PostgresTestSupport
import Testing

/// The queue protocol itself, on a real database: fencing, and the reaper racing a finish.
@Suite(.timeLimit(.minutes(3)))
struct QueueTests {
    let queue = ModerationQueue()

    func decision(_ lease: ModerationQueue.Lease) -> ModerationQueue.Decision {
        ModerationQueue.Decision(lease: lease, outcome: "approve", reasons: [], hits: PostgresJSON(text: "[]"))
    }

    @Test func aFinishWithALostLeaseChangesNothing() async throws {
        try await Harness.with("fencing") { harness in
            try await harness.seed(5)
            try await harness.client.withConnection { connection in
                let first = try await queue.claim(limit: 5, leaseSeconds: 0.2, worker: "slow", on: connection)
                #expect(first.count == 5)
                try await Task.sleep(for: .milliseconds(300))
                let reaped = try await queue.reap(policyVersion: nil, worker: "reaper", on: connection)
                #expect(reaped.retried == 5)
                try await connection.query("UPDATE comment_queue SET run_at = now()")  // skip the backoff
                let second = try await queue.claim(limit: 5, leaseSeconds: 30, worker: "fast", on: connection)
                #expect(Set(second.map(\.commentID)) == Set(first.map(\.commentID)))
                #expect(Set(second.map(\.token)).isDisjoint(with: first.map(\.token)))
                // The slow worker wakes up and tries to finish with its old tokens.
                let late = try await queue.finish(first.map(decision), policyVersion: nil, worker: "slow", on: connection)
                #expect(late.isEmpty)
                let onTime = try await queue.finish(second.map(decision), policyVersion: nil, worker: "fast", on: connection)
                #expect(onTime.count == 5)
            }
            let bySlow = try await harness.client.count("SELECT count(*) FROM moderation_decisions WHERE decided_by = 'slow'")
            #expect(bySlow == 0)
        }
    }

    @Test func pruningDeletesOnlyOldFinishedRows() async throws {
        try await Harness.with("prune") { harness in
            try await harness.seed(10)
            try await harness.client.withConnection { connection in
                let leases = try await queue.claim(limit: 6, leaseSeconds: 30, worker: "w", on: connection)
                _ = try await queue.finish(leases.map(decision), policyVersion: nil, worker: "w", on: connection)
                try await connection.query(
                    "UPDATE comment_queue SET finished_at = now() - interval '2 hours' WHERE state = 'done' AND id <= (SELECT min(id) + 2 FROM comment_queue)"
                )
                let pruned = try await queue.prune(olderThanSeconds: 3600, limit: 100, on: connection)
                #expect(pruned == 3)
            }
            #expect(try await harness.client.count("SELECT count(*) FROM comment_queue WHERE state = 'done'") == 3)
            #expect(try await harness.client.count("SELECT count(*) FROM comment_queue WHERE state = 'ready'") == 4)
            // Decisions stay: pruning only forgets the queue rows.
            #expect(try await harness.client.count("SELECT count(*) FROM moderation_decisions") == 6)
        }
    }

    @Test func theReaperRacingAFinishLetsExactlyOneWin() async throws {
        try await Harness.with("race") { harness in
            try await harness.seed(40)
            let client = harness.client
            var finishWins = 0
            var reaperWins = 0
            var rounds = 0
            for _ in 0..<40 {
                rounds += 1
                let leases = try await client.withConnection { try await queue.claim(limit: 1, leaseSeconds: 0.05, worker: "w", on: $0) }
                guard let lease = leases.first else {
                    rounds -= 1
                    break
                }
                try await Task.sleep(for: .milliseconds(50))
                async let finished = client.withConnection { try await queue.finish([decision(lease)], policyVersion: nil, worker: "w", on: $0) }
                async let reaped = client.withConnection { try await queue.reap(policyVersion: nil, worker: "r", on: $0) }
                let (won, reap) = try await (finished, reaped)
                let decided = try await client.count("SELECT count(*) FROM moderation_decisions WHERE comment_id = \(lease.commentID)")
                let state = try await client.query("SELECT state FROM comment_queue WHERE id = \(lease.queueID)").single().decode(String.self, at: 0)
                if won.isEmpty {
                    reaperWins += 1
                    // The reaper took it: back in the queue with no decision, or (after its last attempt) ended
                    // with its one processing_error decision. Never finished and requeued both.
                    let consistent = (state == "ready" && decided == 0) || (state == "dead" && decided == 1)
                    #expect(consistent, "state \(state), decisions \(decided), reaped \(reap)")
                    #expect(reap.retried + reap.failed >= 1, "the reaper reported what it took: \(reap)")
                    // Finish it properly so the next round claims a fresh row.
                    try await client.query("UPDATE comment_queue SET run_at = now() WHERE id = \(lease.queueID)")
                    let again = try await client.withConnection { try await queue.claim(limit: 1, leaseSeconds: 30, worker: "w", on: $0) }
                    _ = try await client.withConnection { try await queue.finish(again.map(decision), policyVersion: nil, worker: "w", on: $0) }
                } else {
                    finishWins += 1
                    #expect(decided == 1 && state == "done", "state \(state), decisions \(decided), reaped \(reap)")
                }
            }
            #expect(rounds == 40, "every round raced a fresh lease: \(finishWins) finished, \(reaperWins) reaped")
            #expect(finishWins > 0)
            // Finish whatever is left, then check the invariant over everything.
            try await client.query("UPDATE comment_queue SET run_at = now() WHERE state = 'ready'")
            while true {
                let rest = try await client.withConnection { try await queue.claim(limit: 100, leaseSeconds: 30, worker: "w", on: $0) }
                if rest.isEmpty { break }
                _ = try await client.withConnection { try await queue.finish(rest.map(decision), policyVersion: nil, worker: "w", on: $0) }
            }
            try await harness.expectEachCommentDecidedOnce()
        }
    }
}
