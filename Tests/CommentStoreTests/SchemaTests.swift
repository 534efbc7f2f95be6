import CommentStore
import Foundation
import PostgresLibPQ
import PostgresTestSupport
import Testing

@testable import CommentStore

/// The schema's own guarantees, exercised with plain SQL through the libpq client.
@Suite(.timeLimit(.minutes(2)))
struct SchemaTests {
    static let refuseHistory = SQLState.appendOnly
    static let unknownArticle = SQLState("CD001")

    func seedArticle(_ client: PostgresClient, ref: String = "2026-11-29-seoul-housing") async throws -> Int64 {
        try await client.query(
            "SELECT register_article(\(ref), \("https://news.example/\(ref)"), \("Housing prices"), \(Date()))"
        ).single().decode(Int64.self, at: 0)
    }

    func submit(
        _ client: PostgresClient,
        article: String = "2026-11-29-seoul-housing",
        provider: String? = "twitter",
        subject: String? = "1001",
        name: String? = "Kim",
        body: String = "좋은 기사입니다",
        key: String? = nil
    ) async throws -> Int64 {
        try await client.query(
            "SELECT submit_comment(\(article), \(provider), \(subject), \(name), \(body), \(key))"
        ).single().decode(Int64.self, at: 0)
    }

    @Test func submitStoresTheCommentAndItsQueueRowTogether() async throws {
        try await withMigratedDatabase(label: "submit") { client in
            _ = try await seedArticle(client)
            let id = try await submit(client)
            let row = try await client.query(
                """
                SELECT c.status, c.body, a.provider, a.provider_subject, a.display_name, q.state, q.attempts
                FROM comments c JOIN accounts a ON a.id = c.account_id JOIN comment_queue q ON q.comment_id = c.id
                WHERE c.id = \(id)
                """
            ).single()
            let values = try row.decode((String, String, String, String, String, String, Int).self)
            #expect(values.0 == "queued" && values.1 == "좋은 기사입니다")
            #expect(values.2 == "twitter" && values.3 == "1001" && values.4 == "Kim")
            #expect(values.5 == "ready" && values.6 == 0)
        }
    }

    @Test func aRolledBackSubmissionLeavesNeitherCommentNorQueueRow() async throws {
        try await withMigratedDatabase(label: "submitrollback") { client in
            _ = try await seedArticle(client)
            await #expect(throws: Boom.self) {
                try await client.withTransaction { connection in
                    try await connection.query("SELECT submit_comment('2026-11-29-seoul-housing', 'twitter', '1', 'K', 'x', NULL)")
                    throw Boom()
                }
            }
            #expect(try await client.count("SELECT count(*) FROM comments") == 0)
            #expect(try await client.count("SELECT count(*) FROM comment_queue") == 0)
        }
    }

    @Test func aRepeatedIdempotencyKeyReturnsTheFirstComment() async throws {
        try await withMigratedDatabase(label: "idem") { client in
            _ = try await seedArticle(client)
            let first = try await submit(client, key: "retry-1")
            let again = try await submit(client, body: "different text, same key", key: "retry-1")
            let otherReader = try await submit(client, subject: "2002", key: "retry-1")
            #expect(first == again)
            #expect(otherReader != first)
            #expect(try await client.count("SELECT count(*) FROM comments") == 2)
            #expect(try await client.count("SELECT count(*) FROM comment_queue") == 2)
        }
    }

    @Test func concurrentRetriesWithOneKeyCreateOneComment() async throws {
        try await withMigratedDatabase(label: "idemrace") { client in
            _ = try await seedArticle(client)
            let ids = try await withThrowingTaskGroup(of: Int64.self) { group in
                for _ in 0..<8 { group.addTask { try await submit(client, key: "double-click") } }
                return try await group.reduce(into: Set<Int64>()) { $0.insert($1) }
            }
            #expect(ids.count == 1)
            #expect(try await client.count("SELECT count(*) FROM comments") == 1)
            #expect(try await client.count("SELECT count(*) FROM accounts") == 1)
        }
    }

    @Test func anonymousSubmissionsAreQueuedWithoutAnAccount() async throws {
        try await withMigratedDatabase(label: "anon") { client in
            _ = try await seedArticle(client)
            let id = try await submit(client, provider: nil, subject: nil, name: nil, key: "ignored-without-account")
            let row = try await client.query(
                "SELECT account_id, auth_provider, idempotency_key, status FROM comments WHERE id = \(id)"
            ).single()
            let values = try row.decode((Int64?, String?, String?, String).self)
            #expect(values.0 == nil && values.1 == nil && values.2 == nil)
            #expect(values.3 == "queued")
            #expect(try await client.count("SELECT count(*) FROM comment_queue WHERE comment_id = \(id)") == 1)
        }
    }

    @Test func anUnknownArticleRaisesItsOwnSQLStateAndWritesNothing() async throws {
        try await withMigratedDatabase(label: "unknownarticle") { client in
            let error = await #expect(throws: PostgresError.self) { _ = try await submit(client, article: "no-such-article") }
            #expect(error?.sqlState == Self.unknownArticle)
            let accounts = try await client.count("SELECT count(*) FROM accounts")
            let comments = try await client.count("SELECT count(*) FROM comments")
            #expect(accounts == 0 && comments == 0)
        }
    }

    @Test func bodiesAreStoredNFC() async throws {
        try await withMigratedDatabase(label: "nfc") { client in
            _ = try await seedArticle(client)
            let decomposed = "\u{1100}\u{1161}\u{11A8}\u{1100}\u{1161}\u{11A8} cafe\u{301}"  // 각각 café, NFD
            let id = try await submit(client, body: decomposed)
            let stored = try await client.query("SELECT body FROM comments WHERE id = \(id)").single().decode(String.self, at: 0)
            #expect(Array(stored.unicodeScalars) == Array("각각 café".precomposedStringWithCanonicalMapping.unicodeScalars))
        }
    }

    @Test func displayNamesUpdateOnlyWhenTheyChange() async throws {
        try await withMigratedDatabase(label: "names") { client in
            _ = try await seedArticle(client)
            _ = try await submit(client, name: "Kim")
            _ = try await submit(client, name: "Kim Minji")
            _ = try await submit(client, name: "")
            let name = try await client.query("SELECT display_name FROM accounts").single().decode(String.self, at: 0)
            #expect(name == "Kim Minji")
        }
    }

    /// Posts notify only while a worker loop is registered as asleep (0013): under load nobody notifies, so commits
    /// do not queue for the notification lock; an expired registration (a worker that died) does not count.
    @Test func enqueueingNotifiesOnlyWhileAWorkerSleeps() async throws {
        try await withMigratedDatabase(label: "notify") { client in
            _ = try await seedArticle(client)
            let queue = ModerationQueue()
            try await client.withConnection { listener in
                try await listener.listen("comment_queue")
                _ = try await submit(client)
                #expect(try await listener.notifications(timeout: .milliseconds(500)).isEmpty, "nobody asleep: no NOTIFY")

                try await client.withConnection { try await queue.sleeping("w/0", seconds: 0.001, on: $0) }
                try await Task.sleep(for: .milliseconds(20))
                _ = try await submit(client)
                #expect(try await listener.notifications(timeout: .milliseconds(500)).isEmpty, "an expired registration: no NOTIFY")

                try await client.withConnection { try await queue.sleeping("w/0", seconds: 30, on: $0) }
                _ = try await submit(client)
                #expect(try await listener.notifications(timeout: .seconds(10)).map(\.channel) == ["comment_queue"])

                try await client.withConnection { try await queue.awake("w/0", on: $0) }
                _ = try await submit(client)
                #expect(try await listener.notifications(timeout: .milliseconds(500)).isEmpty, "awake again: no NOTIFY")
                #expect(try await client.count("SELECT count(*) FROM comment_queue") == 4)
            }
        }
    }

    @Test func registerArticleUpserts() async throws {
        try await withMigratedDatabase(label: "article") { client in
            let first = try await seedArticle(client)
            let second = try await client.query(
                "SELECT register_article('2026-11-29-seoul-housing', 'https://news.example/new', 'New title', NULL)"
            ).single().decode(Int64.self, at: 0)
            #expect(first == second)
            let title = try await client.query("SELECT title FROM articles").single().decode(String.self, at: 0)
            #expect(title == "New title")
            let bad = await #expect(throws: PostgresError.self) {
                try await client.query("SELECT register_article('has spaces', NULL, NULL, NULL)")
            }
            #expect(bad?.sqlState == .checkViolation)
        }
    }

    @Test func decisionsAndSanctionsCannotBeEditedOrDeleted() async throws {
        try await withMigratedDatabase(label: "appendonly") { client in
            _ = try await seedArticle(client)
            let comment = try await submit(client)
            try await client.query(
                "INSERT INTO moderation_decisions (comment_id, source, outcome, reasons, decided_by) VALUES (\(comment), 'moderator', 'approve', '{}', 'lee')"
            )
            try await client.query(
                "INSERT INTO account_sanctions (account_id, kind, reason, issued_by) SELECT id, 'warn', 'spam', 'lee' FROM accounts"
            )
            for statement: SQLQuery in [
                "UPDATE moderation_decisions SET outcome = 'reject'",
                "DELETE FROM moderation_decisions",
                "TRUNCATE moderation_decisions CASCADE",
                "UPDATE account_sanctions SET reason = 'edited'",
                "DELETE FROM account_sanctions",
                "TRUNCATE account_sanctions CASCADE",
            ] {
                let error = await #expect(throws: PostgresError.self, "\(statement.sql)") { try await client.query(statement) }
                #expect(error?.sqlState == Self.refuseHistory, "\(statement.sql)")
            }
            #expect(try await client.count("SELECT count(*) FROM moderation_decisions WHERE outcome = 'approve'") == 1)
            #expect(try await client.count("SELECT count(*) FROM account_sanctions WHERE reason = 'spam'") == 1)
        }
    }

    @Test func aCommentHasAtMostOneAutomaticDecision() async throws {
        try await withMigratedDatabase(label: "oneauto") { client in
            _ = try await seedArticle(client)
            let comment = try await submit(client)
            let insert: SQLQuery = """
                INSERT INTO moderation_decisions (comment_id, source, outcome, reasons, decided_by)
                VALUES (\(comment), 'automatic', 'approve', '{}', 'worker-1')
                """
            try await client.query(insert)
            let error = await #expect(throws: PostgresError.self) { try await client.query(insert) }
            #expect(error?.sqlState == .uniqueViolation)
            // The index that refused it is the partition's part of the table's one-automatic index (sql/0016).
            let index = try #require(error?.constraintName)
            let parent = try await client.query("SELECT inhparent::regclass::text FROM pg_inherits WHERE inhrelid = \(index)::regclass")
                .single().decode(String.self, at: 0)
            #expect(parent == "moderation_decisions_one_automatic")
            // Moderators may decide as often as they like: each is a new row.
            for _ in 0..<2 {
                try await client.query(
                    "INSERT INTO moderation_decisions (comment_id, source, outcome, decided_by) VALUES (\(comment), 'moderator', 'reject', 'park')"
                )
            }
            #expect(try await client.count("SELECT count(*) FROM moderation_decisions WHERE comment_id = \(comment)") == 3)
        }
    }

    @Test func onlyOnePolicyIsActive() async throws {
        try await withMigratedDatabase(label: "onepolicy") { client in
            // The migrated database already has the default policy active (as commentd migrate leaves it).
            let active = try await client.count("SELECT count(*) FROM policy_versions WHERE is_active")
            #expect(active == 1)
            let sha = String(repeating: "a", count: 64)
            let error = await #expect(throws: PostgresError.self) {
                try await client.query(
                    "INSERT INTO policy_versions (version, document, sha256, is_active, activated_by) VALUES ('2', 'y', \(sha), true, 'board')"
                )
            }
            #expect(error?.sqlState == .uniqueViolation)
            #expect(error?.constraintName == "policy_versions_one_active")
        }
    }

    @Test(arguments: [
        ("UPDATE comments SET status = 'published'", "comments_status_known"),
        ("UPDATE comment_queue SET state = 'running'", "comment_queue_lease_iff_running"),
        ("INSERT INTO accounts (provider, provider_subject) VALUES ('myspace', 'x')", "accounts_provider_known"),
        (
            "INSERT INTO moderation_decisions (comment_id, source, outcome, decided_by) SELECT id, 'automatic', 'delete', 'w' FROM comments",
            "moderation_decisions_outcome_known"
        ),
        ("UPDATE accounts SET status = 'suspended'", "accounts_suspension_has_end"),
    ])
    func vocabulariesAreEnforced(statement: String, constraint: String) async throws {
        try await withMigratedDatabase(label: "vocab") { client in
            _ = try await seedArticle(client)
            _ = try await submit(client)
            let error = await #expect(throws: PostgresError.self) { try await client.query(SQLQuery(unsafeSQL: statement)) }
            #expect(error?.sqlState == .checkViolation)
            #expect(error?.constraintName == constraint)
        }
    }
}

struct Boom: Error {}
