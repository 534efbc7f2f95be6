import Foundation
import Logging
import PostgresLibPQ
import PostgresTestSupport
import Testing

@testable import CommentStore

/// Comments, their decisions and their queue rows partitioned by comment id (sql/0016_partitioned_history.sql).
@Suite(.timeLimit(.minutes(3)))
struct HistoryPartitionsTests {
    let article = "2026-12-04-history"

    func seed(_ client: PostgresClient) async throws {
        try await client.query("SELECT register_article(\(article), 'https://news.example/h', 'History', now())")
    }

    func submit(_ client: PostgresClient, subject: String, key: String? = nil) async throws -> Int64 {
        try await client.query("SELECT submit_comment(\(article), 'twitter', \(subject), 'Reader', 'a comment', \(key))")
            .single().decode(Int64.self, at: 0)
    }

    /// The partition a comment's row (or its decision's, or its queue row's) is stored in.
    func partition(of table: String, id: Int64, _ client: PostgresClient) async throws -> String {
        let column = table == "comments" ? "id" : "comment_id"
        return try await client.query(SQLQuery(unsafeSQL: "SELECT tableoid::regclass::text FROM \(table) WHERE \(column) = \(id) LIMIT 1"))
            .single().decode(String.self, at: 0)
    }

    func firstUpper(_ client: PostgresClient) async throws -> Int64 {
        try await client.query("SELECT upper_id FROM history_partitions WHERE lower_id = 1").single().decode(Int64.self, at: 0)
    }

    /// A decision or a queue row for a comment id that has no comment is refused by the foreign key of the partition it
    /// falls in (each partition of the two references the comments partition of its bounds, sql/0017).
    func expectOrphansRefused(at id: Int64, _ client: PostgresClient) async {
        let decision = await #expect(throws: PostgresError.self) {
            try await client.query(
                "INSERT INTO moderation_decisions (comment_id, source, outcome, decided_by) VALUES (\(id), 'moderator', 'approve', 'm')"
            )
        }
        #expect(decision?.sqlState == .foreignKeyViolation)
        let queued = await #expect(throws: PostgresError.self) {
            try await client.query("INSERT INTO comment_queue (comment_id) VALUES (\(id))")
        }
        #expect(queued?.sqlState == .foreignKeyViolation)
    }

    @Test func migratingAPopulatedDatabaseKeepsEveryRowKeyAndRight() async throws {
        let before = Migration.all.filter { $0.version < "0016" }
        let later = Migration.all.filter { $0.version >= "0016" }.map(\.fileName)
        #expect(later.first == "0016_partitioned_history.sql")
        try await TestPostgres.withDatabase(label: "histmigrate") { configuration in
            try await PostgresClient(configuration: configuration, options: .init(maxConnections: 2), logger: TestPostgres.logger).closing {
                client in
                _ = try await client.withConnection { try await Migrator(migrations: before, logger: TestPostgres.logger).migrate(on: $0) }
                try await seed(client)
                var ids: [Int64] = []
                for n in 0..<20 { ids.append(try await submit(client, subject: "r\(n % 4)", key: "k\(n)")) }
                // Some approved: sql/0019 counts them per reader when it is applied.
                try await client.query("UPDATE comments SET status = 'approved' WHERE id % 3 <> 0")
                try await client.query(
                    """
                    INSERT INTO moderation_decisions (comment_id, source, outcome, decided_by)
                    SELECT id, 'automatic', 'hold', 'worker' FROM comments
                    """
                )
                let flagger = try await client.query("SELECT id FROM accounts ORDER BY id LIMIT 1").single().decode(Int64.self, at: 0)
                try await client.query(
                    """
                    INSERT INTO comment_flags (comment_id, account_id, reason) VALUES (\(ids[3]), \(flagger), 'spam')
                    """
                )
                let decision = try await client.query(
                    """
                    INSERT INTO moderation_decisions (comment_id, source, outcome, decided_by)
                    VALUES (\(ids[3]), 'moderator', 'reject', 'mod-1') RETURNING id
                    """
                ).single().decode(Int64.self, at: 0)
                try await client.query(
                    "UPDATE comment_flags SET resolved_by = \(decision), resolved_at = now(), upheld = true WHERE comment_id = \(ids[3])"
                )

                let report = try await client.withConnection { try await Migrator(logger: TestPostgres.logger).migrate(on: $0) }
                #expect(report.applied == later)

                // Every row is where it was, in the first partitions, and the keys and checks still hold.
                #expect(try await client.count("SELECT count(*) FROM comments") == 20)
                #expect(try await client.count("SELECT count(*) FROM moderation_decisions") == 21)
                #expect(try await client.count("SELECT count(*) FROM comment_queue") == 20)
                #expect(try await partition(of: "comments", id: ids[0], client) == "comments_from_1")
                #expect(try await partition(of: "moderation_decisions", id: ids[0], client) == "moderation_decisions_from_1")
                #expect(try await partition(of: "comment_queue", id: ids[0], client) == "comment_queue_from_1")
                #expect(try await client.count("SELECT count(*) FROM history_partitions") == 3)
                // Each reader's approved comments counted (sql/0019), the four readers', exactly.
                #expect(try await client.count("SELECT count(*) FROM account_approvals") == 4)
                #expect(
                    try await client.count(
                        """
                        SELECT count(*) FROM (SELECT account_id, count(*)::integer FROM comments WHERE status = 'approved'
                                              GROUP BY account_id EXCEPT SELECT account_id, approved FROM account_approvals) missed
                        """
                    ) == 0
                )
                await #expect(throws: PostgresError.self) {
                    try await client.query(
                        "INSERT INTO moderation_decisions (comment_id, source, outcome, decided_by) VALUES (\(ids[0]), 'automatic', 'approve', 'w')"
                    )
                }
                await #expect(throws: PostgresError.self) {
                    try await client.query(
                        "INSERT INTO moderation_decisions (comment_id, source, outcome, decided_by) VALUES (999999999, 'moderator', 'approve', 'm')"
                    )
                }
                // A flag is resolved by a decision on its own comment, nothing else.
                #expect(try await client.count("SELECT count(*) FROM comment_flags WHERE resolved_by = \(decision)") == 1)
                await #expect(throws: PostgresError.self) {
                    try await client.query(
                        """
                        INSERT INTO comment_flags (comment_id, account_id, reason, resolved_by, resolved_at, upheld)
                        VALUES (\(ids[4]), \(flagger), 'spam', \(decision), now(), true)
                        """
                    )
                }
                await #expect(throws: PostgresError.self) {
                    try await client.query("UPDATE moderation_decisions SET outcome = 'approve' WHERE id = \(decision)")
                }
                // Ids continue where the identities stopped; a retried key still answers with its first comment.
                let next = try await submit(client, subject: "r9", key: "new")
                #expect(next == ids.last! + 1)
                #expect(try await submit(client, subject: "r1", key: "k5") == ids[5])
                #expect(try await client.count("SELECT count(*) FROM comments") == 21)
            }
        }
    }

    @Test func commentsCrossIntoTheNextPartitionWithTheirDecisionsAndQueueRows() async throws {
        try await withMigratedDatabase(label: "histcross") { client in
            try await seed(client)
            let upper = try await firstUpper(client)
            try await client.query("SELECT setval('comments_id_seq', \(upper - 3))")
            var ids: [Int64] = []
            for n in 0..<5 { ids.append(try await submit(client, subject: "r\(n)", key: "k")) }
            #expect(ids == Array((upper - 2)...(upper + 2)))
            for id in ids {
                try await client.query(
                    "INSERT INTO moderation_decisions (comment_id, source, outcome, decided_by) VALUES (\(id), 'automatic', 'approve', 'w')"
                )
            }
            let expected = "_from_\(upper)"
            #expect(try await partition(of: "comments", id: ids[1], client) == "comments_from_1")
            #expect(try await partition(of: "comments", id: ids[2], client) == "comments\(expected)")
            #expect(try await partition(of: "moderation_decisions", id: ids[4], client) == "moderation_decisions\(expected)")
            #expect(try await partition(of: "comment_queue", id: ids[4], client) == "comment_queue\(expected)")
            // One automatic decision per comment and one key per account hold in the new partition too.
            await #expect(throws: PostgresError.self) {
                try await client.query(
                    "INSERT INTO moderation_decisions (comment_id, source, outcome, decided_by) VALUES (\(ids[4]), 'automatic', 'hold', 'w')"
                )
            }
            await expectOrphansRefused(at: ids[4] + 1, client)
            await expectOrphansRefused(at: ids[0] - 1, client)
            #expect(try await submit(client, subject: "r4", key: "k") == ids[4])
            let concurrent = try await withThrowingTaskGroup(of: Int64.self) { group in
                for _ in 0..<6 { group.addTask { try await submit(client, subject: "r4", key: "double") } }
                return try await group.reduce(into: Set<Int64>()) { $0.insert($1) }
            }
            #expect(concurrent.count == 1)
        }
    }

    @Test func maintenanceKeepsPartitionsAheadRecordsPeriodsAndDropsTheFinishedQueue() async throws {
        try await withMigratedDatabase(label: "histmaint") { client in
            try await seed(client)
            let upper = try await firstUpper(client)
            let old = try await submit(client, subject: "old")
            try await client.query("SELECT setval('comments_id_seq', \(upper))")
            let recent = try await submit(client, subject: "new")
            #expect(recent == upper + 1)

            let maintenance = HistoryPartitions(ahead: 2, minimumSize: 1000, sealAfterSeconds: 0, queueRetentionSeconds: 3600)
            let round = try await client.withConnection { try await maintenance.maintain(on: $0) }
            // The first partition is full: its period is recorded and one more partition is made ahead of the second.
            #expect(round == .init(created: 1, sealed: 1, queueDropped: 0))
            #expect(try await client.count("SELECT count(*) FROM history_partitions WHERE lower_id > \(recent)") == 2)
            #expect(try await client.count("SELECT count(*) FROM history_partitions WHERE last_submitted_at IS NOT NULL") == 1)
            #expect(try await client.count("SELECT comment_id_floor('-infinity')") == 1)
            #expect(try await client.count("SELECT comment_id_floor(now() + interval '1 minute')") == upper)
            // A query bounded by time, given the floor as a value, is planned on that partition and those after it.
            let plan = try await client.query(
                "EXPLAIN SELECT count(*) FROM comments c WHERE c.submitted_at > now() AND c.id >= \(upper)"
            ).map { try $0.decode(String.self, at: 0) }
            let scans = plan.filter { $0.contains(" on comments_from_") }
            #expect(scans.count == 3, "\(plan)")  // the one being filled, two ahead
            #expect(!scans.contains { $0.contains(" on comments_from_1 ") }, "\(plan)")
            // The partitions made by maintenance have their keys too.
            let newest = try await client.query("SELECT max(lower_id) FROM history_partitions").single().decode(Int64.self, at: 0)
            await expectOrphansRefused(at: newest + 1, client)

            // The old comment's queue row finished long ago: its queue partition goes; the comment and the rest stay.
            try await client.query(
                "UPDATE comment_queue SET state = 'done', finished_at = now() - interval '2 hours' WHERE comment_id = \(old)"
            )
            let second = try await client.withConnection { try await maintenance.maintain(on: $0) }
            #expect(second == .init(created: 0, sealed: 0, queueDropped: 1))
            #expect(try await client.count("SELECT count(*) FROM pg_class WHERE relname = 'comment_queue_from_1'") == 0)
            #expect(try await client.count("SELECT count(*) FROM comments WHERE id = \(old)") == 1)
            #expect(try await client.count("SELECT count(*) FROM comment_queue WHERE comment_id = \(recent) AND state = 'ready'") == 1)
            // A queue partition with a row still waiting is kept.
            #expect(try await client.withConnection { try await maintenance.maintain(on: $0) } == .init(created: 0, sealed: 0, queueDropped: 0))
        }
    }

    @Test func maintenanceAnalyzesThePartitionedTablesOnceTheirPartitionsHaveGrown() async throws {
        try await withMigratedDatabase(label: "histanalyze") { client in
            try await seed(client)
            try await client.query(
                "SELECT submit_comment(\(article), 'twitter', 'r' || g, 'Reader', 'a comment ' || g, NULL) FROM generate_series(1, 1500) g"
            )
            let maintenance = HistoryPartitions()
            // Autovacuum has not analyzed the partition yet: nothing is known to have grown.
            #expect(try await client.withConnection { try await maintenance.maintain(on: $0) }.analyzed == 0)
            try await client.query("ANALYZE comments_from_1, comment_queue_from_1")  // what autovacuum does for partitions
            #expect(try await client.withConnection { try await maintenance.maintain(on: $0) }.analyzed == 2)
            let rows = try await client.query("SELECT reltuples::bigint FROM pg_class WHERE oid = 'comments'::regclass").single()
                .decode(Int.self, at: 0)
            #expect(rows == 1500)
            // The planner now knows a comment id is unique: a batch of ids is looked up, not joined to every comment.
            let distinct = try await client.query("SELECT n_distinct::float8 FROM pg_stats WHERE tablename = 'comments' AND attname = 'id'")
                .single().decode(Double.self, at: 0)
            #expect(distinct == -1)
            #expect(try await client.withConnection { try await maintenance.maintain(on: $0) }.analyzed == 0)
        }
    }

    /// A partition is analyzed at its thousandth comment: until then every session's plans are made for an empty table
    /// (a foreign key's check read a whole new partition for each row until autovacuum analyzed it).
    @Test func aPartitionsThousandthCommentHasItAnalyzed() async throws {
        try await withMigratedDatabase(label: "histfirst") { client in
            try await seed(client)
            let lower = try await firstUpper(client)  // the second partition's first id
            func state() async throws -> (analyzed: Bool, comments: Double, queue: Double) {
                let row = try await client.query(
                    """
                    SELECT h.first_analyzed_at IS NOT NULL,
                           (SELECT reltuples::float8 FROM pg_class WHERE oid = ('comments_from_' || h.lower_id)::regclass),
                           (SELECT reltuples::float8 FROM pg_class WHERE oid = ('comment_queue_from_' || h.lower_id)::regclass)
                    FROM history_partitions h WHERE h.lower_id = \(lower)
                    """
                ).single()
                return (try row.decode(Bool.self, at: 0), try row.decode(Double.self, at: 1), try row.decode(Double.self, at: 2))
            }
            #expect(try await state().analyzed == false)
            // A multiple of 1,000 fewer than 1,000 ids into the partition: too early.
            let early = (lower / 1000 + 1) * 1000
            try await client.query("SELECT setval('comments_id_seq', \(early - 1))")
            #expect(try await submit(client, subject: "early") == early)
            #expect(try await state().analyzed == false)
            // The first multiple of 1,000 at least 1,000 ids in: the partitions of its range are analyzed.
            try await client.query("SELECT setval('comments_id_seq', \(early + 998))")
            #expect(try await submit(client, subject: "r1") == early + 999)
            #expect(try await state().analyzed == false)
            #expect(try await submit(client, subject: "r2") == early + 1000)
            let after = try await state()
            #expect(after.analyzed)
            #expect(after.comments == 3)
            #expect(after.queue == 2)  // the third comment's queue row is written after it
        }
    }

    /// A reader's post, its burst limit and its idempotency key included, reads nothing of the partitions before the
    /// newest: what it costs does not grow with the history (sql/0017). A retry with the key answers with the comment for
    /// a day; maintenance then forgets the key.
    @Test func aReadersPostReadsNoneOfTheOlderPartitions() async throws {
        try await withMigratedDatabase(label: "histpost") { client in
            try await seed(client)
            // The migrated template has the default policy active; its burst limit on.
            try await client.query("UPDATE policy_versions SET reader_posts_per_minute = 5 WHERE is_active")
            #expect(try await client.count("SELECT count(*) FROM policy_versions WHERE reader_posts_per_minute = 5") == 1)
            let upper = try await firstUpper(client)
            try await client.withConnection { connection in
                func post(_ subject: String, key: String) async throws -> (id: Int64, replayed: Bool) {
                    try await connection.query(
                        """
                        SELECT comment_id, replayed FROM post_comment(\(article), 'twitter', \(subject), 'Reader', 'a comment',
                                                                      \(key), now(), now() + interval '1 hour')
                        """
                    ).single().decode((Int64, Bool).self)
                }
                func readsOfTheFirstPartitions() async throws -> Int {
                    try await connection.query("SELECT pg_stat_force_next_flush()")
                    return try await connection.query(
                        """
                        SELECT sum(seq_scan + coalesce(idx_scan, 0))::integer FROM pg_stat_user_tables
                        WHERE relid IN ('comments_from_1'::regclass, 'comment_queue_from_1'::regclass,
                                        'moderation_decisions_from_1'::regclass)
                        """
                    ).single().decode(Int.self, at: 0)
                }
                for n in 0..<3 { _ = try await post("r\(n)", key: "old-\(n)") }
                try await connection.query("SELECT setval('comments_id_seq', \(upper))")
                let before = try await readsOfTheFirstPartitions()
                let first = try await post("r1", key: "k-1")
                #expect(first == (upper + 1, false))
                #expect(try await post("r1", key: "k-1") == (upper + 1, true))
                #expect(try await post("r1", key: "k-2") == (upper + 2, false))
                #expect(try await readsOfTheFirstPartitions() == before)

                // A day later the key is forgotten: the same key makes a new comment.
                try await connection.query(
                    "UPDATE reader_idempotency_keys SET created_at = now() - interval '25 hours' WHERE idempotency_key = 'k-1'"
                )
                _ = try await HistoryPartitions().maintain(on: connection)
                #expect(try await connection.query("SELECT count(*) FROM reader_idempotency_keys").single().decode(Int.self, at: 0) == 4)
                #expect(try await post("r1", key: "k-1") == (upper + 3, false))
            }
        }
    }

    @Test func aDaysReportReadsNoneOfTheOlderPartitions() async throws {
        try await withMigratedDatabase(label: "histreport") { client in
            try await seed(client)
            let upper = try await firstUpper(client)
            try await client.withConnection { connection in
                // Everything on one connection, so that its table statistics can be flushed at the moments compared.
                func post(_ subject: String, at time: String, decided outcome: String) async throws -> Int64 {
                    let id = try await connection.query(
                        "SELECT submit_comment(\(article), 'twitter', \(subject), 'Reader', 'a comment', NULL)"
                    ).single().decode(Int64.self, at: 0)
                    try await connection.query("UPDATE comments SET submitted_at = \(time)::timestamptz WHERE id = \(id)")
                    try await connection.query(
                        """
                        INSERT INTO moderation_decisions (comment_id, source, outcome, decided_by, decided_at)
                        VALUES (\(id), 'automatic', \(outcome), 'worker', \(time)::timestamptz + interval '1 second')
                        """
                    )
                    return id
                }
                // Last year's comments fill the first partition; the day's are in the next one.
                for n in 0..<3 { _ = try await post("old\(n)", at: "2025-03-01T12:00:00Z", decided: "approve") }
                try await connection.query("SELECT setval('comments_id_seq', \(upper))")
                let held = try await post("new1", at: "2026-11-20T09:00:00Z", decided: "hold")
                _ = try await post("new2", at: "2026-11-20T10:00:00Z", decided: "approve")
                try await connection.query(
                    """
                    INSERT INTO moderation_decisions (comment_id, source, outcome, decided_by, decided_at)
                    VALUES (\(held), 'moderator', 'approve', 'mod', '2026-11-20T11:00:00Z')
                    """
                )
                let maintenance = HistoryPartitions(ahead: 2, minimumSize: 1000, sealAfterSeconds: 0, queueRetentionSeconds: 3600)
                _ = try await maintenance.maintain(on: connection)
                #expect(try await connection.query("SELECT comment_id_floor('2026-11-20T00:00:00Z')").single().decode(Int64.self, at: 0) == upper)

                func readsOfTheFirstPartition() async throws -> Int {
                    try await connection.query("SELECT pg_stat_force_next_flush()")
                    return try await connection.query(
                        """
                        SELECT (seq_scan + coalesce(idx_scan, 0))::integer FROM pg_stat_user_tables
                        WHERE relid IN ('comments_from_1'::regclass)
                        """
                    ).single().decode(Int.self, at: 0)
                }
                let before = try await readsOfTheFirstPartition()
                let report = try await ReportBuilder().build(date: "2026-11-20", timeZone: "UTC", on: connection)
                #expect(try await readsOfTheFirstPartition() == before)
                // And the day is reported whole: both comments, their automatic decisions and the moderator's overturn.
                #expect(report.totals.submitted == 2)
                #expect(report.totals.automaticDecisions == 2)
                #expect(report.totals.moderatorDecisions == 1)
                #expect(report.overturns.map(\.count) == [1])
            }
        }
    }

    @Test func maintenanceRefusesNonsenseSettings() async throws {
        try await withMigratedDatabase(label: "histbad") { client in
            await #expect(throws: PostgresError.self) {
                _ = try await client.withConnection { try await HistoryPartitions(ahead: 0).maintain(on: $0) }
            }
            await #expect(throws: PostgresError.self) {
                _ = try await client.withConnection { try await HistoryPartitions(minimumSize: 10).maintain(on: $0) }
            }
            let partitions = try await client.count("SELECT count(*) FROM history_partitions")
            #expect(partitions == 3)
        }
    }
}
