import Foundation
import PostgresLibPQ
import PostgresTestSupport
import Testing

/// The articles' published versions (sql/0015), bumped when their published comments change.
@Suite(.timeLimit(.minutes(2)))
struct PublishedVersionTests {
    /// Two statements that publish comments of the same articles (the worker finishes two batches at once) take the
    /// articles' rows in the order of their ids (sql/0018), so neither can hold one the other waits for while waiting for
    /// one the other holds: a statement waiting for the lowest article holds none of the others.
    @Test func aBumpTakesItsArticlesInIdOrder() async throws {
        let template = try await migratedTemplate()
        try await TestPostgres.withDatabase(label: "bumps", template: template) { configuration in
            try await PostgresConnection.withConnection(configuration: configuration, logger: TestPostgres.logger) { holder in
                func article(_ ref: String) async throws -> Int64 {
                    try await holder.query("SELECT register_article(\(ref), NULL, 'Bumps', now())").single().decode(Int64.self, at: 0)
                }
                func comment(on ref: String) async throws -> Int64 {
                    try await holder.query("SELECT submit_comment(\(ref), 'twitter', 'r1', 'Reader', 'a comment', NULL)")
                        .single().decode(Int64.self, at: 0)
                }
                // Forty articles with a comment each, the comments written in the reverse order of the articles' ids.
                var articles: [Int64] = []
                for n in 0..<40 { articles.append(try await article("bump-\(n)")) }
                var comments: [Int64] = []
                for n in (0..<40).reversed() { comments.append(try await comment(on: "bump-\(n)")) }
                let low = try #require(articles.min())
                // The lowest article's row moves to the end of its table: read in any of these orders, it comes last.
                try await holder.query("UPDATE articles SET title = 'Bumps again' WHERE id = \(low)")

                try await holder.query("BEGIN")
                try await holder.query("SELECT 1 FROM articles WHERE id = \(low) FOR NO KEY UPDATE")
                let publishing = Task {
                    try await PostgresConnection.withConnection(configuration: configuration, logger: TestPostgres.logger) { worker in
                        // Whatever the plan: here one that reads the articles in table order, as PostgreSQL chose for a
                        // large batch (a hash join) where a small one reads them sorted.
                        try await worker.query("SET enable_nestloop = off")
                        try await worker.query("SET enable_sort = off")
                        try await worker.query(
                            "UPDATE comments SET status = 'approved', status_changed_at = now() WHERE id = ANY(\(comments))"
                        )
                    }
                }
                try await PostgresConnection.withConnection(configuration: configuration, logger: TestPostgres.logger) { other in
                    #expect(
                        try await other.sessionsWaitingForALock(in: "UPDATE comments") == 1,
                        "the publishing statement waits for the lowest article"
                    )
                    // It holds none of the other articles meanwhile: a third session can take every one of them.
                    try await other.query("BEGIN")
                    let free = try await other.query(
                        "SELECT count(*)::integer FROM (SELECT 1 FROM articles WHERE id > \(low) FOR NO KEY UPDATE SKIP LOCKED) a"
                    ).single().decode(Int.self, at: 0)
                    try await other.query("ROLLBACK")
                    #expect(free == 39)
                }
                try await holder.query("COMMIT")
                try await publishing.value
                let bumped = try await holder.query("SELECT count(*)::integer FROM articles WHERE published_version = 1").single()
                    .decode(Int.self, at: 0)
                #expect(bumped == 40)
            }
        }
    }
}
