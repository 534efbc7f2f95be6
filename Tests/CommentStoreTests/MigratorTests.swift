import Foundation
import PostgresLibPQ
import PostgresTestSupport
import Testing

@testable import CommentStore

@Suite(.timeLimit(.minutes(2)))
struct MigratorTests {
    @Test func theEmbeddedListMatchesTheSQLFolderByteForByte() throws {
        let folder = TestPostgres.repositoryRoot.appendingPathComponent("sql")
        let files = try FileManager.default.contentsOfDirectory(atPath: folder.path)
            .filter { $0.range(of: #"^[0-9]{4}_.+\.sql$"#, options: .regularExpression) != nil }.sorted()
        #expect(Migration.all.map(\.fileName) == files)
        for migration in Migration.all {
            let text = try String(contentsOf: folder.appendingPathComponent(migration.fileName), encoding: .utf8)
            #expect(migration.sql == text, "\(migration.fileName) differs from what is embedded")
        }
        #expect(Set(Migration.all.map(\.version)).count == Migration.all.count, "two migrations share a number")
    }

    @Test func migrateCreatesEveryTableAndIsANoOpTheSecondTime() async throws {
        try await TestPostgres.withDatabase(label: "migrate") { configuration in
            try await PostgresClient(configuration: configuration, logger: TestPostgres.logger).closing { client in
                let migrator = Migrator(logger: TestPostgres.logger)
                let first = try await migrator.migrate(client)
                #expect(first.applied == Migration.all.map(\.fileName))
                let tables = try await client.query(
                    "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 1"
                ).map { try $0.decode(String.self, at: 0) }
                for table in [
                    "accounts", "articles", "comments", "comment_queue", "moderation_decisions", "account_sanctions",
                    "policy_versions", "policy_reports", "schema_migrations", "review_claims",
                ] {
                    #expect(tables.contains(table), "missing table \(table)")
                }
                let functions = try await client.query(
                    "SELECT proname FROM pg_proc WHERE proname IN ('submit_comment', 'register_article') ORDER BY 1"
                ).map { try $0.decode(String.self, at: 0) }
                #expect(functions == ["register_article", "submit_comment"])

                let second = try await migrator.migrate(client)
                #expect(second.applied.isEmpty)
                #expect(second.alreadyApplied == Migration.all.map(\.fileName))
                #expect(try await client.count("SELECT count(*) FROM schema_migrations") == Migration.all.count)
            }
        }
    }

    @Test func anEditedMigrationIsRefusedAndNothingRuns() async throws {
        try await TestPostgres.withDatabase(label: "edited") { configuration in
            try await PostgresClient(configuration: configuration, logger: TestPostgres.logger).closing { client in
                let original = [Migration(fileName: "0001_a.sql", bytes: Array("CREATE TABLE a (x int);".utf8))]
                try await Migrator(migrations: original, logger: TestPostgres.logger).migrate(client)
                let edited = [
                    Migration(fileName: "0001_a.sql", bytes: Array("CREATE TABLE a (x int, y int);".utf8)),
                    Migration(fileName: "0002_b.sql", bytes: Array("CREATE TABLE b (x int);".utf8)),
                ]
                await #expect {
                    try await Migrator(migrations: edited, logger: TestPostgres.logger).migrate(client)
                } throws: { error in
                    guard case MigrationError.edited(let fileName) = error else { return false }
                    return fileName == "0001_a.sql"
                }
                #expect(try await client.count("SELECT count(*) FROM pg_tables WHERE tablename = 'b'") == 0)
            }
        }
    }

    @Test func aFailingMigrationIsRolledBackWhole() async throws {
        try await TestPostgres.withDatabase(label: "failing") { configuration in
            try await PostgresClient(configuration: configuration, logger: TestPostgres.logger).closing { client in
                let migrations = [
                    Migration(fileName: "0001_ok.sql", bytes: Array("CREATE TABLE ok (x int);".utf8)),
                    Migration(fileName: "0002_bad.sql", bytes: Array("CREATE TABLE half (x int); SELECT 1/0;".utf8)),
                ]
                await #expect {
                    try await Migrator(migrations: migrations, logger: TestPostgres.logger).migrate(client)
                } throws: { error in
                    guard case MigrationError.failed(let fileName, let underlying) = error else { return false }
                    return fileName == "0002_bad.sql" && underlying.sqlState == SQLState("22012")
                }
                #expect(try await client.count("SELECT count(*) FROM pg_tables WHERE tablename = 'half'") == 0)
                #expect(try await client.count("SELECT count(*) FROM pg_tables WHERE tablename = 'ok'") == 1)
                let versions = try await client.query("SELECT version FROM schema_migrations").map { try $0.decode(String.self, at: 0) }
                #expect(versions == ["0001"])
                // The advisory lock was released: another run can take it.
                let locked = try await client.query("SELECT pg_try_advisory_lock(\(Migrator.lockKey))").single().decode(Bool.self, at: 0)
                #expect(locked)
            }
        }
    }

    @Test func concurrentMigratorsApplyEachFileOnce() async throws {
        try await TestPostgres.withDatabase(label: "concurrent") { configuration in
            let reports = try await withThrowingTaskGroup(of: Migrator.Report.self) { group in
                for _ in 0..<4 {
                    group.addTask {
                        try await PostgresConnection.withConnection(configuration: configuration, logger: TestPostgres.logger) {
                            try await Migrator(logger: TestPostgres.logger).migrate(on: $0)
                        }
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            let appliedEverywhere = reports.flatMap(\.applied)
            #expect(appliedEverywhere.sorted() == Migration.all.map(\.fileName).sorted())
            #expect(reports.filter { $0.applied.isEmpty }.count == 3)
        }
    }

    @Test func versionsFromANewerReleaseAreReportedAndLeftAlone() async throws {
        try await withMigratedDatabase(label: "newer") { client in
            try await client.query("INSERT INTO schema_migrations (version, file_name, checksum) VALUES ('9999', '9999_future.sql', 'x')")
            let report = try await Migrator(logger: TestPostgres.logger).migrate(client)
            #expect(report.unknownVersions == ["9999"])
            #expect(report.applied.isEmpty)
        }
    }
}
