public import Foundation
public import PostgresLibPQ
import StandardsPolicy

/// The `comment_queue` protocol: a lease with a fencing token (see DESIGN.md, "The queue").
///
/// - ``claim(limit:leaseSeconds:worker:on:)`` takes ready rows in one short statement (`FOR UPDATE SKIP LOCKED`),
///   giving each a fresh random token and a lease deadline.
/// - ``finish(_:policyVersion:worker:on:)`` records decisions only for rows whose token still matches: a worker
///   whose lease expired (and whose rows someone else took) changes nothing.
/// - ``reap(on:)`` returns expired leases to the queue with a backoff, or, after the last attempt, ends them: the
///   comment is held with reason `processing_error` as its automatic decision, so a moderator sees it.
public struct ModerationQueue: Sendable {
    /// The channel a statement-level trigger notifies on an enqueue while a worker loop is asleep (payload-free).
    public static let channel = "comment_queue"

    /// A claimed row.
    public struct Lease: Sendable, Hashable {
        public var queueID: Int64
        public var commentID: Int64
        public var token: UUID
        public var attempts: Int
        public var maxAttempts: Int
    }

    /// A decision to record for a leased comment.
    public struct Decision: Sendable {
        public var lease: Lease
        /// approve, hold or reject.
        public var outcome: String
        public var reasons: [String]
        /// The hits as a JSON array.
        public var hits: PostgresJSON

        public init(lease: Lease, outcome: String, reasons: [String], hits: PostgresJSON) {
            self.lease = lease
            self.outcome = outcome
            self.reasons = reasons
            self.hits = hits
        }
    }

    /// What ``reap(on:)`` did.
    public struct ReapResult: Sendable, Equatable {
        public var retried = 0
        public var failed = 0
        /// Queue ids of expired rows that could not be reaped this time (the database refused them).
        public var skipped: [Int64] = []
    }

    public init() {}

    /// Registers `waiter` (a worker loop) as asleep on LISTEN for `seconds`, so that enqueues notify until then
    /// (`queue_waiters`, unlogged: this commit does not wait for the disk). Renewing replaces the expiry.
    public func sleeping(_ waiter: String, seconds: Double, on connection: PostgresConnection) async throws {
        try await connection.query(
            """
            INSERT INTO queue_waiters (waiter, expires_at) VALUES (\(waiter), now() + \(seconds) * interval '1 second')
            ON CONFLICT (waiter) DO UPDATE SET expires_at = excluded.expires_at
            """
        )
    }

    /// Removes `waiter`'s registration: it is busy, and enqueues need not notify on its account.
    public func awake(_ waiter: String, on connection: PostgresConnection) async throws {
        try await connection.query("DELETE FROM queue_waiters WHERE waiter = \(waiter)")
    }

    /// Claims up to `limit` ready rows for `worker`, oldest first.
    public func claim(limit: Int, leaseSeconds: Double, worker: String, on connection: PostgresConnection) async throws -> [Lease] {
        let rows = try await connection.query(
            """
            WITH picked AS MATERIALIZED (
                SELECT id FROM comment_queue
                WHERE state = 'ready' AND run_at <= now()
                ORDER BY run_at, id
                LIMIT \(limit)
                FOR UPDATE SKIP LOCKED
            )
            UPDATE comment_queue q
            SET state = 'running', attempts = q.attempts + 1, lease_token = gen_random_uuid(),
                lease_expires_at = now() + \(leaseSeconds) * interval '1 second', leased_by = \(worker)
            FROM picked
            WHERE q.id = picked.id
            RETURNING q.id, q.comment_id, q.lease_token, q.attempts, q.max_attempts
            """
        )
        return try rows.map { row in
            let (queueID, commentID, token, attempts, maxAttempts) = try row.decode((Int64, Int64, UUID, Int, Int).self)
            return Lease(queueID: queueID, commentID: commentID, token: token, attempts: attempts, maxAttempts: maxAttempts)
        }
        .sorted { $0.queueID < $1.queueID }
    }

    /// Records `decisions` and marks their rows done, in one statement, for exactly the rows whose lease token still
    /// matches. Returns the comment ids it decided; a decision whose lease was lost is silently dropped.
    ///
    /// The comment's status follows the outcome (approve → approved, hold → held, reject → rejected) unless a
    /// moderator already changed it. At most one automatic decision per comment is ever stored.
    @discardableResult
    public func finish(_ decisions: [Decision], policyVersion: Int64?, worker: String, on connection: PostgresConnection) async throws -> Set<Int64> {
        guard !decisions.isEmpty else { return [] }
        let queueIDs = decisions.map(\.lease.queueID)
        let tokens = decisions.map(\.lease.token)
        let commentIDs = decisions.map(\.lease.commentID)
        let outcomes = decisions.map(\.outcome)
        let reasons = try decisions.map { try PostgresJSON(encoding: $0.reasons).text }
        let hits = decisions.map(\.hits.text)
        // The batch's first and last comment ids, as values: the updates are planned on the history partitions that
        // hold the batch (sql/0016), not on every partition of the queue and of the comments (planning this statement
        // took 2.2 ms a batch with 35 partitions against 0.6 ms with 3, `pg_stat_statements.track_planning`).
        let (first, last) = (commentIDs.min()!, commentIDs.max()!)
        let rows = try await connection.query(
            """
            WITH input AS (
                SELECT * FROM unnest(\(queueIDs)::bigint[], \(tokens)::uuid[], \(commentIDs)::bigint[], \(outcomes)::text[],
                                     \(reasons)::text[], \(hits)::text[]) AS i(queue_id, token, comment_id, outcome, reasons, hits)
            ),
            done AS (
                UPDATE comment_queue q
                SET state = 'done', finished_at = now(), lease_token = NULL, lease_expires_at = NULL, last_error = NULL
                FROM input
                WHERE q.id = input.queue_id AND q.lease_token = input.token AND q.state = 'running'
                  AND q.comment_id = input.comment_id AND q.comment_id BETWEEN \(first) AND \(last)
                RETURNING q.comment_id
            ),
            decided AS (
                INSERT INTO moderation_decisions (comment_id, source, outcome, reasons, hits, policy_version, decided_by)
                SELECT input.comment_id, 'automatic', input.outcome,
                       ARRAY(SELECT jsonb_array_elements_text(input.reasons::jsonb)), input.hits::jsonb, \(policyVersion), \(worker)
                FROM input JOIN done USING (comment_id)
                ON CONFLICT (comment_id) WHERE source = 'automatic' DO NOTHING
                RETURNING comment_id, outcome, reasons
            ),
            updated AS (
                UPDATE comments c
                SET status = CASE decided.outcome WHEN 'approve' THEN 'approved' WHEN 'hold' THEN 'held' ELSE 'rejected' END,
                    status_changed_at = now(), reasons = decided.reasons
                FROM decided
                WHERE c.id = decided.comment_id AND c.status = 'queued' AND c.id BETWEEN \(first) AND \(last)
                RETURNING c.id
            )
            SELECT comment_id FROM done
            """
        )
        return Set(try rows.map { try $0.decode(Int64.self, at: 0) })
    }

    /// Gives a leased row back after a failure: to the queue again with a backoff, or, when it used its last
    /// attempt, ends it as held with `processing_error`. Only while the lease is still ours.
    public func release(_ lease: Lease, error: String, policyVersion: Int64?, worker: String, on connection: PostgresConnection) async throws {
        try await connection.query(
            """
            WITH released AS (
                UPDATE comment_queue q
                SET \(Self.giveBack(error: error))
                WHERE q.id = \(lease.queueID) AND q.lease_token = \(lease.token) AND q.state = 'running'
                RETURNING q.comment_id, q.state
            ),
            \(Self.endDead(policyVersion: policyVersion, decidedBy: worker))
            SELECT 1
            """
        )
    }

    /// Returns expired leases (up to 1000 at a time) to the queue with a backoff, and ends those that used their
    /// last attempt as held with `processing_error`. Safe to run from every worker at once.
    ///
    /// One statement does the whole set; when it fails for a reason other than the connection (one row the database
    /// refuses), each expired row is reaped on its own, so one bad row cannot strand the others. Rows that still fail
    /// are listed in ``ReapResult/skipped`` (queue ids) and stay expired for the next pass.
    public func reap(policyVersion: Int64?, worker: String, on connection: PostgresConnection) async throws -> ReapResult {
        var result: ReapResult
        do {
            result = try await reap(only: nil, policyVersion: policyVersion, worker: worker, on: connection)
        } catch let error as PostgresError where !error.isConnectionLost {
            result = ReapResult(retried: 0, failed: 0)
            let expired = try await connection.query(
                "SELECT id FROM comment_queue WHERE state = 'running' AND lease_expires_at < now() ORDER BY lease_expires_at LIMIT 1000"
            ).map { try $0.decode(Int64.self, at: 0) }
            for id in expired {
                do {
                    let one = try await reap(only: id, policyVersion: policyVersion, worker: worker, on: connection)
                    result.retried += one.retried
                    result.failed += one.failed
                } catch let rowError as PostgresError where !rowError.isConnectionLost {
                    result.skipped.append(id)
                }
            }
        }
        if result.retried > 0 { try await connection.query("SELECT pg_notify(\(Self.channel), '')") }
        return result
    }

    private func reap(only id: Int64?, policyVersion: Int64?, worker: String, on connection: PostgresConnection) async throws -> ReapResult {
        let one: SQLQuery = id.map { "AND id = \($0)" } ?? ""
        let rows = try await connection.query(
            """
            WITH expired AS MATERIALIZED (
                SELECT id FROM comment_queue
                WHERE state = 'running' AND lease_expires_at < now() \(one)
                ORDER BY lease_expires_at
                LIMIT 1000
                FOR UPDATE SKIP LOCKED
            ),
            released AS (
                UPDATE comment_queue q
                SET \(Self.giveBack(error: "lease expired"))
                FROM expired
                WHERE q.id = expired.id AND q.state = 'running' AND q.lease_expires_at < now()
                RETURNING q.comment_id, q.state
            ),
            \(Self.endDead(policyVersion: policyVersion, decidedBy: worker))
            SELECT count(*) FILTER (WHERE state = 'ready'), count(*) FILTER (WHERE state = 'dead') FROM released
            """
        )
        let (retried, failed) = try rows.single().decode((Int, Int).self)
        return ReapResult(retried: retried, failed: failed)
    }

    /// The assignments that give a leased row back: to `ready` after ``Backoff/queueRetry`` (the schedule computed
    /// here, indexed by the row's attempts; the jitter drawn per row), or to `dead` when it used its last attempt.
    static func giveBack(error: String) -> SQLQuery {
        let backoff = Backoff.queueRetry
        let schedule = backoff.seconds(upTo: 32)
        return """
            state = CASE WHEN q.attempts >= q.max_attempts THEN 'dead' ELSE 'ready' END,
                run_at = now() + (\(schedule)::float8[])[least(greatest(q.attempts, 1), \(schedule.count))]
                         * (1 - \(backoff.jitter) * random()) * interval '1 second',
                finished_at = CASE WHEN q.attempts >= q.max_attempts THEN now() END,
                lease_token = NULL, lease_expires_at = NULL, leased_by = NULL, last_error = left(\(error), 500)
            """
    }

    /// CTEs that give every row of the `released` CTE that reached `dead` its automatic decision (hold,
    /// `processing_error`) and hold its comment.
    static func endDead(policyVersion: Int64?, decidedBy: String) -> SQLQuery {
        """
        dead_decided AS (
            INSERT INTO moderation_decisions (comment_id, source, outcome, reasons, hits, policy_version, decided_by, note)
            SELECT comment_id, 'automatic', 'hold', ARRAY[\(PolicyDocument.processingErrorReason)]::text[], '[]'::jsonb, \(policyVersion), \(decidedBy),
                   'processing failed after the last attempt'
            FROM released WHERE state = 'dead'
            ON CONFLICT (comment_id) WHERE source = 'automatic' DO NOTHING
            RETURNING comment_id
        ),
        dead_held AS (
            UPDATE comments c SET status = 'held', status_changed_at = now(), reasons = ARRAY[\(PolicyDocument.processingErrorReason)]::text[]
            FROM dead_decided WHERE c.id = dead_decided.comment_id AND c.status = 'queued'
            RETURNING c.id
        )
        """
    }

    /// How much the queue holds: waiting, leased, failed for good, and how long the oldest waiting comment has waited.
    public struct Depth: Sendable, Equatable {
        public var ready: Int
        public var running: Int
        public var dead: Int
        public var oldestReadySeconds: Double
    }

    public func depth(on connection: PostgresConnection) async throws -> Depth {
        let (ready, running, dead, oldest) = try await connection.query(
            """
            SELECT (SELECT count(*) FROM comment_queue WHERE state = 'ready'),
                   (SELECT count(*) FROM comment_queue WHERE state = 'running'),
                   (SELECT count(*) FROM comment_queue WHERE state = 'dead'),
                   coalesce((SELECT extract(epoch FROM now() - min(enqueued_at)) FROM comment_queue WHERE state = 'ready'), 0)::float8
            """
        ).single().decode((Int, Int, Int, Double).self)
        return Depth(ready: ready, running: running, dead: dead, oldestReadySeconds: oldest)
    }

    /// Deletes finished rows older than `olderThanSeconds`, at most `limit` at a time. Returns how many it deleted.
    public func prune(olderThanSeconds: Double, limit: Int, on connection: PostgresConnection) async throws -> Int {
        try await connection.query(
            """
            DELETE FROM comment_queue WHERE id IN (
                SELECT id FROM comment_queue
                WHERE state IN ('done', 'dead') AND finished_at < now() - \(olderThanSeconds) * interval '1 second'
                LIMIT \(limit)
            )
            """
        ).affectedRows
    }
}
