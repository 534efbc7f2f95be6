import CommentStore
import Foundation
import HTTPTypes
import HummingbirdTesting
import PostgresLibPQ
import PostgresTestSupport
import StandardsPolicy
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The real `commentd migrate`, `serve` and `work` behind PgBouncer in transaction mode (issue 22), two server
/// connections shared by every client: statements go through the pooler, LISTEN and the migrator's lock go to
/// PostgreSQL itself (`DATABASE_DIRECT_URL`), and no session setting leaks to other clients.
@Suite("Behind PgBouncer", .timeLimit(.minutes(5)))
struct PgBouncerTests {
    @Test func migrationPostingModerationAndListsWorkThroughATransactionPooler() async throws {
        guard PgBouncer.executable != nil else {
            Issue.record("pgbouncer is missing (deploy/local/test.sh installs it)")
            return
        }
        try await TestPostgres.withDatabase(label: "bouncer") { direct in
            let name = try #require(direct.connectionString?.split(separator: " ").first { $0.hasPrefix("dbname=") }?.dropFirst(7))
            let bouncer = try await PgBouncer.start(poolSize: 2)
            var children: [ChildProcess] = []
            do {
                let pooled = try bouncer.connectionString(database: String(name))
                let environment = commentdEnvironment(
                    databaseURL: pooled,
                    ["DATABASE_DIRECT_URL": try #require(direct.connectionString)]
                )
                // Two migrators at once: they take turns on PostgreSQL itself.
                let migrators = try (0..<2).map { try spawnCommentd(["migrate"], environment: environment, logName: "bouncer-migrate-\($0)") }
                for migrator in migrators { #expect(await migrator.exitCode() == 0, "\(migrator.output)") }
                try await prepareForServe(direct, migrate: false)
                let port = try freePort()
                children.append(try spawnCommentd(["serve", "--port", String(port)], environment: environment, logName: "bouncer-serve"))
                // A ten-minute poll interval: a comment decided within a minute after an idle spell was woken by NOTIFY.
                children.append(
                    try spawnCommentd(
                        ["work", "--worker-id", "bouncer-worker", "--poll-interval", "600"],
                        environment: environment,
                        logName: "bouncer-work"
                    )
                )
                try await waitUntil("commentd serve listens") { isListening(port) }
                let token = try await TestLogin.token()
                let statuses = try await withThrowingTaskGroup(of: HTTPResponse.Status.self) { group in
                    for number in 0..<40 {
                        group.addTask { try await postOnce(port: port, body: "through the pooler \(number)", token: token).status }
                    }
                    return try await group.reduce(into: []) { $0.append($1) }
                }
                #expect(statuses.allSatisfy { $0 == .accepted }, "\(statuses)")

                try await PostgresClient(configuration: direct, logger: TestPostgres.logger).closing { db in
                    try await waitUntil("the worker decides all 40", timeout: .seconds(60)) {
                        try await db.count("SELECT count(*) FROM moderation_decisions WHERE source = 'automatic'") == 40
                    }
                    #expect(
                        try await db.count(
                            "SELECT count(*) FROM (SELECT comment_id FROM moderation_decisions WHERE source = 'automatic' GROUP BY 1 HAVING count(*) > 1) d"
                        ) == 0
                    )
                    // Idle past the worker's active window, then one more: only the LISTEN connection can wake it
                    // before its ten-minute poll (a minute allows for a loaded machine).
                    try await Task.sleep(for: .seconds(2))
                    let posted = ContinuousClock.now
                    #expect(try await postOnce(port: port, body: "after an idle spell", token: token).status == .accepted)
                    try await waitUntil("the idle worker is woken by NOTIFY", timeout: .seconds(60)) {
                        try await db.count("SELECT count(*) FROM moderation_decisions WHERE source = 'automatic'") == 41
                    }
                    #expect(ContinuousClock.now - posted < .seconds(60))
                }
                // The list through the pooler shows what is approved (a new commenter's posts are held by the default
                // policy: a moderator approves three here).
                let approved = try await PostgresConnection.withConnection(configuration: direct, logger: TestPostgres.logger) {
                    try await $0.query(
                        """
                        UPDATE comments SET status = 'approved', status_changed_at = now()
                        WHERE id IN (SELECT id FROM comments ORDER BY id LIMIT 3) RETURNING id
                        """
                    ).map { Int(try $0.decode(Int64.self, at: 0)) }
                }
                let list = try await requestOnce(port: port, path: "/v1/articles/a-1/comments")
                let object = (try? JSONSerialization.jsonObject(with: Data(list.text.utf8))) as? [String: Any]
                #expect(Set((object?["comments"] as? [[String: Any]])?.compactMap { $0["id"] as? Int } ?? []) == Set(approved), "\(list.text)")

                // The API's statement_timeout and the worker's planner settings never reach another client of the
                // shared server connections.
                let plain = PostgresConfiguration(connectionString: pooled, applicationName: "bouncer-probe")
                try await PostgresClient(configuration: plain, options: .init(maxConnections: 4), logger: TestPostgres.logger).closing { probe in
                    for _ in 0..<8 {
                        let row = try await probe.query("SELECT current_setting('statement_timeout'), current_setting('enable_bitmapscan')").single()
                        #expect(try row.decode(String.self, at: 0) == "0")
                        #expect(try row.decode(String.self, at: 1) == "on")
                    }
                }
                for child in children { child.send(SIGTERM) }
                for child in children { #expect(await child.exitCode() == 0, "\(child.output)") }
                children = []
            } catch {
                for child in children { child.send(SIGKILL) }
                await bouncer.stop()
                throw error
            }
            await bouncer.stop()
        }
    }
}
